"""An OpenAPI-driven fuzz run (schemathesis): every operation, with generated valid and invalid
parameters, on a filled SQLite serving database, answers without a server error and as its
OpenAPI document declares."""

import itertools

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from ic_platform.api.app import create_app
from ic_platform.serving import store
from ic_platform_tests.api.conftest import DAYS
from ic_platform_tests.serving.test_store import COMPANIES, score_rows

pytestmark = pytest.mark.slow  # fuzzing

# no 5xx, and every answer's status, content type and body are those the OpenAPI document declares
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'serving.sqlite'}"
    db = store.engine(url)
    store.migrate(db)
    store.replace_window(db, score_rows(DAYS), DAYS[0], DAYS[-1], COMPANIES)
    return schemathesis.openapi.from_asgi("/openapi.json", create_app(url))


def test_no_input_makes_a_server_error(api_schema):
    # each operation's cases drawn by hand: schemathesis' pytest integration (from_fixture) does not
    # run on pytest 9
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert {operation.path for operation in operations} >= {"/api/scores/{ticker}", "/api/scores/top", "/health"}
    for operation, mode in itertools.product(operations, GenerationMode):  # valid and invalid parameters
        if mode is GenerationMode.NEGATIVE and not list(operation.iter_parameters()):
            continue  # /health takes nothing to get wrong

        @given(case=operation.as_strategy(mode))
        @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
        def answers_without_a_server_error(case):
            case.call_and_validate(checks=CHECKS)

        answers_without_a_server_error()
