"""`python ingest.py [--corpus DIR] [--json]`: exactly what `tpm-assistant ingest` does."""

import sys

from tpm_assistant.cli import main

if __name__ == "__main__":
    sys.exit(main(["ingest", *sys.argv[1:]]))
