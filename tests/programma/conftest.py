from tests.quartieri.fixtures import *  # noqa: F401,F403
