from pathlib import Path

SEEDS = Path(__file__).resolve().parents[2] / "plans" / "demo"


def seed_text(name: str) -> str:
    return next(SEEDS.glob(f"{name}*.yaml")).read_text(encoding="utf-8")
