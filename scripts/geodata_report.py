"""Print the data report of the shipped layers (same as `flask --app app geodata report`)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.geodata_report import main  # noqa: E402

if __name__ == "__main__":
    main()
