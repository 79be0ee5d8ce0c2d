"""Screenshots of the chat page for the README, taken in headless Chromium from a real service.

    .venv/bin/python docs/screenshots.py   # uses the store of the TPM_* settings (ingest first)

Starts ``tpm-assistant serve`` on a free loopback port, drives Debian's chromium through
chromium-driver (Selenium), writes docs/*.png and stops both.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

DOCS = Path(__file__).resolve().parent
DESKTOP = {"width": 1280, "height": 820, "deviceScaleFactor": 1, "mobile": False}
PHONE = {"width": 375, "height": 740, "deviceScaleFactor": 2, "mobile": True}


def serve() -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([str(Path(sys.executable).parent / "tpm-assistant"), "serve", "--port", str(port)])
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(url + "/ready", timeout=1).status_code == 200:
                return server, url
        except httpx.HTTPError:
            pass
        if server.poll() is not None:
            raise SystemExit("the service stopped; is the store ingested? (tpm-assistant ingest)")
        time.sleep(0.2)
    server.terminate()
    raise SystemExit("the service did not become ready")


def browser(profile: str):
    os.environ["SE_AVOID_STATS"] = "true"
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={profile}", "--hide-scrollbars"]:  # fmt: skip
        options.add_argument(flag)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def main() -> int:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    server, url = serve()
    profile = tempfile.mkdtemp(prefix="tpm-shots-")
    driver = browser(profile)

    def start(metrics: dict[str, object]) -> None:
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
        driver.get(url + "/")
        WebDriverWait(driver, 20).until(lambda d: d.execute_script("return document.documentElement.dataset.ready"))

    def ask(question: str) -> None:
        before = len(driver.find_elements(By.CSS_SELECTOR, "#log > li"))
        box = driver.find_element(By.ID, "q")
        box.send_keys(question, Keys.ENTER)
        WebDriverWait(driver, 20).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#log > li")) >= before + 2
                                        and not d.find_elements(By.CSS_SELECTOR, "#log > li[aria-busy]"))  # fmt: skip

    def shot(name: str) -> None:
        driver.execute_script("document.activeElement.blur()")  # no caret or focus ring in the picture
        time.sleep(0.2)
        driver.save_screenshot(str(DOCS / name))
        print("wrote", DOCS / name)

    try:
        start(DESKTOP)
        shot("page-desktop.png")
        ask("What does an entry-level TPM earn?")
        ask("And in New York City?")
        shot("answer-desktop.png")
        driver.find_elements(By.CSS_SELECTOR, "#log button.marker")[0].click()
        WebDriverWait(driver, 20).until(lambda d: d.find_elements(By.CSS_SELECTOR, "dialog[open] mark"))
        shot("citation-desktop.png")
        start(PHONE)
        ask("Which certifications should a TPM get?")
        shot("answer-phone.png")
        start(PHONE)
        ask("How do I become a dentist?")
        shot("not-covered-phone.png")
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
        server.terminate()
        server.wait(timeout=20)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
