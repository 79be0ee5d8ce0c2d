// The chat page. Guide text and user input are only ever put into the page as text
// (textContent, createTextNode), never parsed as HTML.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const form = $("ask");
  const input = $("q");
  const send = $("send");
  const log = $("log");
  const intro = $("intro");
  const status = $("status");
  const dialog = $("passage");
  const MAX_MESSAGES = 20; // earlier turns sent with a question; follow-ups need only the last few

  let history = []; // [{role, content}] of this conversation, as /chat takes them
  let busy = false;
  let conversation = 0; // bumped by "New conversation": a late answer to the old one is dropped
  let readyTimer = null;

  class ApiError extends Error {}

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  // -- service status -----------------------------------------------------------------------
  function showStatus(message, kind) {
    status.textContent = message;
    status.className = kind || "";
    status.hidden = false;
  }

  function clearStatus() {
    status.hidden = true;
    status.textContent = "";
  }

  async function detailOf(response) {
    try {
      const body = await response.json();
      if (typeof body.detail === "string") return body.detail;
      if (body.error && typeof body.error.message === "string") return body.error.message;
    } catch (_) { /* not JSON */ }
    return `HTTP ${response.status}`;
  }

  const UNREACHABLE = "Cannot reach the assistant service (network error). Check that it is running, then try again.";

  async function checkReady() {
    clearTimeout(readyTimer);
    try {
      const response = await fetch("/ready", { cache: "no-store" });
      if (response.ok) {
        clearStatus();
        return;
      }
      showStatus(`The assistant is not ready yet: ${await detailOf(response)}`, "warn");
    } catch (_) {
      showStatus(UNREACHABLE, "error");
    }
    readyTimer = setTimeout(checkReady, 3000); // until it is ready
  }

  // -- asking ---------------------------------------------------------------------------------
  async function failure(response) {
    const detail = await detailOf(response);
    if (response.status === 503) return new ApiError(`The assistant is not ready: ${detail}`);
    if (response.status < 500) return new ApiError(`The question was not accepted: ${detail}`);
    return new ApiError(`The service failed (${response.status}): ${detail}`);
  }

  function request(messages, stream) {
    const body = stream ? { messages, stream: true } : { messages };
    return fetch("/chat", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  }

  async function postChat(messages) {
    let response;
    try {
      response = await request(messages, false);
    } catch (_) {
      throw new ApiError(UNREACHABLE);
    }
    if (!response.ok) throw await failure(response);
    return response.json();
  }

  // POST /chat with "stream": true: `delta` events carry the answer text in pieces, then one
  // `done` event the citations, `answered` and `missing`. EventSource cannot POST, so the
  // stream is read here.
  async function streamChat(messages, onText) {
    const response = await request(messages, true);
    if (!response.ok) throw await failure(response);
    if (!(response.headers.get("content-type") || "").startsWith("text/event-stream") || !response.body) {
      throw new Error("no event stream");
    }
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    let text = "";
    let rest = null;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value.replace(/\r\n?/g, "\n");
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const event = { name: "message", data: [] };
        for (const line of buffer.slice(0, cut).split("\n")) {
          if (line.startsWith("event:")) event.name = line.slice(6).trim();
          else if (line.startsWith("data:")) event.data.push(line.slice(5).replace(/^ /, ""));
        }
        buffer = buffer.slice(cut + 2);
        if (event.name === "delta") {
          text += JSON.parse(event.data.join("\n")).text;
          onText(text);
        } else if (event.name === "done") {
          rest = JSON.parse(event.data.join("\n"));
        }
      }
    }
    if (!rest) throw new Error("the stream ended before its last event");
    return { ...rest, answer: text };
  }

  // Streaming first; plain fetch when the stream cannot be had or breaks off (an older service,
  // a proxy that buffers or cuts it). A refusal from the service is not retried.
  async function getAnswer(messages, onText) {
    try {
      return await streamChat(messages, onText);
    } catch (err) {
      if (err instanceof ApiError) throw err;
      onText(null);
      return postChat(messages);
    }
  }

  async function ask(question) {
    question = question.trim();
    if (!question || busy) return;
    busy = true;
    send.disabled = true;
    intro.hidden = true;
    const mine = conversation;
    input.value = "";
    log.appendChild(el("li", "msg user", question));
    const pending = el("li", "msg bot pending", "Looking in the guide…");
    pending.setAttribute("aria-busy", "true");
    log.appendChild(pending);
    pending.scrollIntoView({ block: "nearest" });
    const messages = history.concat([{ role: "user", content: question }]).slice(-MAX_MESSAGES);
    const shown = el("p", "text");
    const onText = (text) => {
      if (mine !== conversation) return;
      if (text === null) {
        pending.replaceChildren(document.createTextNode("Looking in the guide…"));
        pending.className = "msg bot pending";
        return;
      }
      if (shown.parentNode !== pending) {
        pending.className = "msg bot";
        pending.replaceChildren(shown);
      }
      shown.textContent = text;
    };
    try {
      const answer = await getAnswer(messages, onText);
      if (mine !== conversation) return;
      renderAnswer(pending, answer);
      // The whole answer in view when it fits, else its start.
      pending.scrollIntoView({ block: pending.offsetHeight > window.innerHeight * 0.6 ? "start" : "nearest" });
      history.push({ role: "user", content: question }, { role: "assistant", content: answer.answer });
    } catch (err) {
      if (mine !== conversation) return;
      renderError(pending, err instanceof ApiError ? err.message : `Something went wrong: ${err}`);
      if (!input.value) input.value = question; // ready to send again
    } finally {
      busy = false;
      send.disabled = false;
      input.focus();
    }
  }

  // -- rendering ------------------------------------------------------------------------------
  function renderError(li, message) {
    li.className = "msg error";
    li.removeAttribute("aria-busy");
    li.setAttribute("role", "alert");
    li.replaceChildren(el("p", null, message));
  }

  // The answer's text with each [n] that names a citation as a button opening that passage.
  function answerText(text, citations) {
    const p = el("p", "text");
    const byN = new Map(citations.map((c) => [c.n, c]));
    const pattern = /\[(\d+)\]/g;
    let last = 0;
    for (const match of text.matchAll(pattern)) {
      const citation = byN.get(Number(match[1]));
      if (!citation) continue;
      p.appendChild(document.createTextNode(text.slice(last, match.index)));
      const marker = el("button", "marker", match[0]);
      marker.type = "button";
      marker.setAttribute("aria-label", `Source ${citation.n}: ${citation.section}`);
      marker.addEventListener("click", () => openPassage(citation, marker));
      p.appendChild(marker);
      last = match.index + match[0].length;
    }
    p.appendChild(document.createTextNode(text.slice(last)));
    return p;
  }

  function excerpt(text, limit = 160) {
    const flat = text.replace(/\s+/g, " ").trim();
    return flat.length <= limit ? flat : `${flat.slice(0, limit).replace(/\s+\S*$/, "")}…`;
  }

  // Topics to offer after a "not covered" answer: the nearest passages' headings, or, when it
  // cites none, the topics its text names in “quotes”.
  function suggestionsFor(answer) {
    const topics = answer.citations.map((c) => c.section);
    if (!topics.length) for (const m of answer.answer.matchAll(/“([^”]{3,200})”/g)) topics.push(m[1]);
    return [...new Set(topics.map((t) => t.trim()).filter(Boolean))].slice(0, 4);
  }

  function renderAnswer(li, answer) {
    const citations = answer.citations || [];
    const missing = answer.missing || [];
    li.className = answer.answered ? "msg bot" : "msg bot not-covered";
    li.removeAttribute("aria-busy");
    const parts = [];
    if (!answer.answered) parts.push(el("p", "badge", "Not covered by the guide"));
    parts.push(answerText(answer.answer, citations));
    if (missing.length) {
      const box = el("div", "missing");
      box.appendChild(el("h3", null, "What the guide does not give"));
      const ul = el("ul");
      for (const item of missing) ul.appendChild(el("li", null, item));
      box.appendChild(ul);
      parts.push(box);
    }
    if (citations.length) {
      parts.push(el("h3", null, answer.answered ? "Sources" : "Nearest passages (they do not answer the question)"));
      const ol = el("ol", "sources");
      for (const c of citations) {
        const item = el("li");
        const open = el("button", "link", `[${c.n}] ${c.section}`);
        open.type = "button";
        open.addEventListener("click", () => openPassage(c, open));
        item.append(open, el("span", "excerpt", excerpt(c.text)));
        ol.appendChild(item);
      }
      parts.push(ol);
    }
    if (!answer.answered) {
      const topics = suggestionsFor(answer);
      if (topics.length) {
        parts.push(el("h3", null, "Ask about a topic the guide covers"));
        const ul = el("ul", "suggestions");
        for (const topic of topics) {
          const b = el("button", null, topic);
          b.type = "button";
          b.addEventListener("click", () => ask(topic));
          const item = el("li");
          item.appendChild(b);
          ul.appendChild(item);
        }
        parts.push(ul);
      }
    }
    li.replaceChildren(...parts);
  }

  // -- the passage a citation opens -----------------------------------------------------------
  let opener = null;

  function documentUrl(c) {
    const path = c.source.split("/").map(encodeURIComponent).join("/");
    return `/documents/${path}?start=${c.start}&end=${c.end}`;
  }

  function renderPassage(body, passage) {
    const out = [];
    if (passage.more_before) out.push(el("p", "more", "…"));
    let list = null;
    for (const block of passage.blocks) {
      const node = el(block.kind === "bullet" ? "li" : "p");
      if (block.start <= passage.start && passage.end <= block.end) {
        const from = passage.start - block.start;
        const to = passage.end - block.start;
        const mark = el("mark", null, block.text.slice(from, to));
        mark.id = "highlight";
        node.append(document.createTextNode(block.text.slice(0, from)), mark, document.createTextNode(block.text.slice(to)));
      } else {
        node.textContent = block.text;
      }
      if (block.kind === "bullet") {
        if (!list) out.push((list = el("ul")));
        list.appendChild(node);
      } else {
        list = null;
        out.push(node);
      }
    }
    if (passage.more_after) out.push(el("p", "more", "…"));
    body.replaceChildren(...out);
  }

  async function openPassage(citation, from) {
    opener = from;
    const body = $("passage-body");
    $("passage-title").textContent = citation.section;
    $("passage-source").textContent = `${citation.source}, characters ${citation.start}–${citation.end}`;
    body.replaceChildren(el("p", "more", "Opening the passage…"));
    if (!dialog.open) dialog.showModal();
    try {
      const response = await fetch(documentUrl(citation));
      if (!response.ok) throw new ApiError(`Could not open the passage: ${await detailOf(response)}`);
      renderPassage(body, await response.json());
      const mark = $("highlight");
      if (mark) mark.scrollIntoView({ block: "center" });
    } catch (err) {
      const message = err instanceof ApiError ? err.message : UNREACHABLE;
      const p = el("p", "msg error", message);
      p.setAttribute("role", "alert");
      body.replaceChildren(p);
    }
  }

  dialog.addEventListener("close", () => {
    if (opener && opener.isConnected) opener.focus();
    opener = null;
  });
  $("close").addEventListener("click", () => dialog.close());
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog) dialog.close(); // a click on the backdrop
  });

  // -- controls -------------------------------------------------------------------------------
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    ask(input.value);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      ask(input.value);
    }
  });
  for (const button of document.querySelectorAll("#examples button")) {
    button.addEventListener("click", () => ask(button.textContent));
  }
  $("new").addEventListener("click", () => {
    conversation += 1;
    history = [];
    log.replaceChildren();
    intro.hidden = false;
    input.value = "";
    input.focus();
  });

  checkReady();
  input.focus();
  document.documentElement.dataset.ready = "true";
  performance.mark("tpm-interactive");
})();
