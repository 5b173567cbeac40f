"""The SIT office's publishing workflow: import, validation report, versions."""
