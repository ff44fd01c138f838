import pytest


@pytest.fixture(scope="session")
def secret_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("secret") / "course.secret"
    path.write_text("3f1c0b7e9a5d42c6b8e1f0a9d3c7b2e4\n", encoding="utf-8")
    return path
