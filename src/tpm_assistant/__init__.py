"""tpm-assistant: answers career questions from the technical project manager guide, with citations.

Importing the package is cheap on purpose: torch, sentence-transformers, chromadb and onnxruntime
are imported inside the functions that need them.
"""

__version__ = "0.1.0"
