"""The deployment files: every Kubernetes manifest against the Kubernetes schemas (no cluster),
the instance configuration against Dagster's own config schemas, and the compose file's wiring."""

from pathlib import Path

import kubernetes_validate
import pytest
import yaml
from dagster._config import process_config
from dagster._core.instance.config import dagster_instance_config_schema
from dagster_k8s import K8sRunLauncher

ROOT = Path(__file__).parents[2]
MANIFESTS = sorted((ROOT / "deploy" / "k8s").glob("*.yaml"))
KUBERNETES_VERSION = "1.33.0"


@pytest.fixture
def postgres_settings(monkeypatch):
    """The DAGSTER_PG_* variables the instance configurations read."""
    for name, value in {
        "HOST": "postgres",
        "PORT": "5432",
        "USER": "dagster",
        "PASSWORD": "x",
        "DB": "dagster",
    }.items():
        monkeypatch.setenv(f"DAGSTER_PG_{name}", value)


def instance_config_is_valid(instance: dict) -> None:
    checked = process_config(dagster_instance_config_schema(), instance)
    assert checked.success, checked.errors


def documents(path: Path) -> list[dict]:
    return [document for document in yaml.safe_load_all(path.read_text()) if document]


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda path: path.name)
def test_every_manifest_is_valid_kubernetes(path):
    for document in documents(path):
        kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)


def resources(kind: str) -> dict[str, dict]:
    return {doc["metadata"]["name"]: doc for path in MANIFESTS for doc in documents(path) if doc["kind"] == kind}


def test_the_api_runs_three_replicas_probed_on_health_with_limits():
    api = resources("Deployment")["ic-api"]["spec"]
    container = api["template"]["spec"]["containers"][0]
    assert api["replicas"] == 3
    assert container["readinessProbe"]["httpGet"]["path"] == container["livenessProbe"]["httpGet"]["path"] == "/health"
    assert container["resources"]["limits"] and container["command"][:2] == ["ic-platform", "serve"]
    assert resources("Service")["ic-api"]["spec"]["selector"] == api["selector"]["matchLabels"]


def test_the_kubernetes_instance_launches_runs_with_dagster_k8s(postgres_settings):
    instance = yaml.safe_load(resources("ConfigMap")["ic-dagster-instance"]["data"]["dagster.yaml"])
    instance_config_is_valid(instance)
    launcher = instance["run_launcher"]
    assert (launcher["module"], launcher["class"]) == ("dagster_k8s", "K8sRunLauncher")
    checked = process_config(K8sRunLauncher.config_type(), launcher["config"])
    assert checked.success, checked.errors
    assert launcher["config"]["instance_config_map"] in resources("ConfigMap")


def test_compose_runs_a_separate_user_code_server_and_the_api_on_a_read_only_role(postgres_settings):
    compose = yaml.safe_load((ROOT / "docker" / "compose.yaml").read_text())
    services = compose["services"]
    assert {"postgres", "user_code", "webserver", "daemon", "api"} <= set(services)
    workspace = yaml.safe_load((ROOT / "docker" / "workspace.yaml").read_text())
    assert workspace["load_from"][0]["grpc_server"]["host"] == "user_code"
    assert "code-server start" in services["user_code"]["command"]
    assert "grant-reader ic_api" in services["user_code"]["command"]
    assert services["api"]["environment"]["IC_SERVING_URL"].startswith("postgresql://ic_api:")
    instance_config_is_valid(yaml.safe_load((ROOT / "docker" / "dagster.yaml").read_text()))


def test_every_instance_configuration_runs_one_edgar_step_at_a_time(postgres_settings):
    kubernetes = yaml.safe_load(resources("ConfigMap")["ic-dagster-instance"]["data"]["dagster.yaml"])
    for instance in (
        yaml.safe_load((ROOT / "dagster.yaml").read_text()),
        yaml.safe_load((ROOT / "docker" / "dagster.yaml").read_text()),
        kubernetes,
    ):
        instance_config_is_valid(instance)
        assert instance["concurrency"]["pools"] == {"default_limit": 1, "granularity": "op"}


def test_every_run_has_a_time_limit_and_kubernetes_ends_its_job_after_the_longest(postgres_settings):
    from ic_platform.definitions import defs

    limits = {job.name: job.tags.get("dagster/max_runtime") for job in defs.get_repository_def().get_all_jobs()}
    limits.pop("__ASSET_JOB")
    assert all(limits.values()), [name for name, limit in limits.items() if not limit]
    kubernetes = yaml.safe_load(resources("ConfigMap")["ic-dagster-instance"]["data"]["dagster.yaml"])
    for instance in (
        yaml.safe_load((ROOT / "dagster.yaml").read_text()),
        yaml.safe_load((ROOT / "docker" / "dagster.yaml").read_text()),
        kubernetes,
    ):
        assert instance["run_monitoring"]["max_runtime_seconds"] == max(int(limit) for limit in limits.values())
    job_spec = kubernetes["run_launcher"]["config"]["run_k8s_config"]["job_spec_config"]
    assert job_spec["activeDeadlineSeconds"] > max(int(limit) for limit in limits.values())
