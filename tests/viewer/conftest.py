from tests.quartieri.fixtures import *  # noqa: F401,F403 (the citizen store has a state history)
