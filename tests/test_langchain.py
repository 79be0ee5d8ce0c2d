"""The LangChain extra with real langchain-core: ``TpmRetriever`` and the ``TpmAssistant`` runnable,
in-process (from the TPM_* settings, as the CLI) and against a real service on loopback (``url=``)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import GUIDE, ROOT, serve_env

from tpm_assistant.config import Settings

pytestmark = pytest.mark.slow

GUIDE_TEXT = GUIDE.read_bytes().decode("utf-8")
SALARY = "What does an entry-level TPM earn?"
PMP = "Do I need a PMP?"


@pytest.fixture
def configured(real_store: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The environment points at the session's real store, as a user's TPM_* variables would."""
    monkeypatch.setenv("TPM_CORPUS_DIR", str(real_store.corpus_dir))
    monkeypatch.setenv("TPM_STORE_DIR", str(real_store.store_dir))
    monkeypatch.setenv("TPM_CACHE_DIR", str(real_store.cache_dir))
    return real_store


def check_documents(docs) -> None:
    from langchain_core.documents import Document

    assert docs and all(isinstance(d, Document) for d in docs)
    for d in docs:
        assert set(d.metadata) == {"chunk_id", "source", "section", "start", "end", "score"}
        assert d.page_content == GUIDE_TEXT[d.metadata["start"] : d.metadata["end"]]


@pytest.mark.parametrize("mode", ["in-process", "url"])
def test_the_retriever_returns_the_cited_passages(mode: str, configured: Settings, real_service: str):
    from tpm_assistant.langchain import TpmRetriever

    retriever = TpmRetriever() if mode == "in-process" else TpmRetriever(url=real_service)
    docs = retriever.invoke(SALARY)
    check_documents(docs)
    assert "$76,683" in docs[0].page_content
    assert len(TpmRetriever(k=5, url=None if mode == "in-process" else real_service).invoke(SALARY)) == 5


def test_both_modes_return_the_same_documents(configured: Settings, real_service: str):
    from tpm_assistant.langchain import TpmRetriever

    local = TpmRetriever().invoke(PMP)
    remote = TpmRetriever(url=real_service).invoke(PMP)
    assert [(d.page_content, d.metadata) for d in local] == [(d.page_content, d.metadata) for d in remote]


@pytest.mark.parametrize("mode", ["in-process", "url"])
def test_the_retriever_batches(mode: str, configured: Settings, real_service: str):
    from tpm_assistant.langchain import TpmRetriever

    retriever = TpmRetriever() if mode == "in-process" else TpmRetriever(url=real_service)
    batched = retriever.batch([SALARY, PMP])
    assert [[d.id for d in docs] for docs in batched] == [[d.id for d in retriever.invoke(q)] for q in (SALARY, PMP)]
    for docs in batched:
        check_documents(docs)


@pytest.mark.parametrize("mode", ["in-process", "url"])
def test_the_retriever_in_an_lcel_chain(mode: str, configured: Settings, real_service: str):
    from langchain_core.prompts import ChatPromptTemplate
    from langchain_core.runnables import RunnablePassthrough

    from tpm_assistant.langchain import TpmRetriever

    def format_docs(docs) -> str:
        return "\n".join(f"[{i}] {d.metadata['section']}: {d.page_content}" for i, d in enumerate(docs, 1))

    retriever = TpmRetriever() if mode == "in-process" else TpmRetriever(url=real_service)
    prompt = ChatPromptTemplate.from_messages([("system", "Answer from these passages:\n{context}"), ("human", "{question}")])
    chain = {"context": retriever | format_docs, "question": RunnablePassthrough()} | prompt
    value = chain.invoke(SALARY)
    system, human = value.to_messages()
    assert "[1] How much can you earn as a technical project manager?: Entry-level" in system.content
    assert human.content == SALARY
    assert len(chain.batch([SALARY, PMP])) == 2


@pytest.mark.parametrize("mode", ["in-process", "url"])
def test_the_assistant_runnable_answers_questions_and_conversations(mode: str, configured: Settings, real_service: str):
    from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
    from langchain_core.runnables import RunnableLambda

    from tpm_assistant.langchain import TpmAssistant
    from tpm_assistant.models import Answer

    assistant = TpmAssistant() if mode == "in-process" else TpmAssistant(url=real_service)
    answer = assistant.invoke(SALARY)
    assert isinstance(answer, Answer) and answer.answered and "$76,683" in answer.answer
    first = assistant.invoke("What is the average TPM salary?")
    conversation = [SystemMessage("Be brief."), HumanMessage("What is the average TPM salary?"), AIMessage(first.answer),
                    HumanMessage("And in New York City?")]  # fmt: skip
    assert "$112,547" in assistant.invoke(conversation).answer
    as_dicts = [{"role": "user", "content": "What is the average TPM salary?"}, {"role": "assistant", "content": first.answer},
                {"role": "user", "content": "And in New York City?"}]  # fmt: skip
    assert assistant.invoke(as_dicts) == assistant.invoke(conversation)
    assert assistant.invoke({"question": SALARY}) == answer
    assert not assistant.invoke("How do I become a dentist?").answered
    chain = assistant | RunnableLambda(lambda a: a.answer)
    assert chain.batch([SALARY, PMP]) == [answer.answer, assistant.invoke(PMP).answer]


def test_bad_input_is_refused_before_asking(configured: Settings, real_service: str):
    from tpm_assistant.errors import TpmError
    from tpm_assistant.langchain import TpmAssistant

    for assistant in (TpmAssistant(), TpmAssistant(url=real_service)):
        with pytest.raises(ValueError, match="must not be blank"):
            assistant.invoke("   ")
        with pytest.raises(ValueError, match="there must be a user message"):
            assistant.invoke([("assistant", "hello")])
    with pytest.raises(ValueError):
        TpmAssistant(k=0)
    with pytest.raises(TpmError, match="cannot reach"):
        TpmAssistant(url="http://127.0.0.1:9", timeout=2).invoke(SALARY)


def test_the_package_runs_without_langchain(real_store: Settings):
    """With langchain-core unimportable, every other module imports, the service starts, a question
    is answered, and only tpm_assistant.langchain says which extra to install."""
    script = """
import importlib, pkgutil, sys
sys.modules["langchain_core"] = None  # as if not installed
import tpm_assistant
for m in pkgutil.iter_modules(tpm_assistant.__path__):
    if m.name not in ("langchain", "__main__"):
        importlib.import_module("tpm_assistant." + m.name)
from tpm_assistant.api import create_app
create_app()
from tpm_assistant.assistant import Assistant
from tpm_assistant.config import load_settings
print("answered:", Assistant(load_settings()).ask("What does an entry-level TPM earn?").answered)
try:
    import tpm_assistant.langchain
except ImportError as exc:
    print("hint:", exc)
"""
    result = subprocess.run([sys.executable, "-c", script], check=False, capture_output=True, text=True, cwd=ROOT, timeout=120,
                            env=serve_env(real_store))  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert "answered: True" in result.stdout
    assert "pip install 'tpm-assistant[langchain]'" in result.stdout
