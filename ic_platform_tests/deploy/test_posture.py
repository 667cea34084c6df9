"""The deployment's security posture, checked as checkov's Kubernetes and Dockerfile checks would
(checkov itself cannot share the project's environment: its pins conflict with the lock): non-root
read-only containers without capabilities on every pod (the run pods too), probes, tokens only
where needed, NetworkPolicies that let only the API and Dagster reach PostgreSQL, a non-root
image, a UI not published on every interface, and the sources' modes and keys passed through.
Every check a manifest skips carries its reason."""

import re

import pytest
import yaml

from ic_platform_tests.deploy.test_manifests import MANIFESTS, ROOT, documents, resources

DEPLOYMENTS = resources("Deployment")
INSTANCE = yaml.safe_load(resources("ConfigMap")["ic-dagster-instance"]["data"]["dagster.yaml"])
RUN_POD = INSTANCE["run_launcher"]["config"]["run_k8s_config"]
DATABASE_CLIENT = "ic-platform/database-client"


def skipped(document: dict) -> dict[str, str]:
    """The checkov checks a manifest skips, with their reasons."""
    annotations = document["metadata"].get("annotations", {})
    return dict(v.split("=", 1) for k, v in annotations.items() if k.startswith("checkov.io/skip"))


@pytest.mark.parametrize("name", sorted(DEPLOYMENTS))
def test_every_pod_runs_non_root_read_only_without_capabilities_and_is_probed(name):
    pod = DEPLOYMENTS[name]["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] >= 10000
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    for container in pod["containers"]:
        context = container["securityContext"]
        assert context["allowPrivilegeEscalation"] is False and context["readOnlyRootFilesystem"] is True
        assert context["capabilities"]["drop"] == ["ALL"]
        assert container["livenessProbe"] and container["readinessProbe"] and container["resources"]["limits"]
        mounts = {mount["mountPath"]: mount["name"] for mount in container["volumeMounts"]}
        assert {"name": mounts["/tmp"], "emptyDir": {}} in pod["volumes"]  # the one place to write but the data
    token = pod.get("automountServiceAccountToken", True)
    assert token is False or "CKV_K8S_38" in skipped(DEPLOYMENTS[name])


def test_the_run_pods_are_locked_down_as_the_services():
    assert RUN_POD["pod_spec_config"]["automountServiceAccountToken"] is False
    assert RUN_POD["pod_spec_config"]["securityContext"]["runAsNonRoot"] is True
    assert RUN_POD["pod_spec_config"]["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    context = RUN_POD["container_config"]["securityContext"]
    assert context == {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "capabilities": {"drop": ["ALL"]},
    }
    assert {"name": "tmp", "mountPath": "/tmp"} in INSTANCE["run_launcher"]["config"]["volume_mounts"]
    for storage in ("compute_logs", "local_artifact_storage"):  # never under the read-only root
        assert INSTANCE[storage]["config"]["base_dir"].startswith("/tmp/")


def test_every_skipped_check_says_why():
    for path in MANIFESTS:
        for document in documents(path):
            for check, reason in skipped(document).items():
                assert re.fullmatch(r"CKV2?_K8S_\d+", check) and len(reason) > 20, (path.name, check)
    dockerfile = (ROOT / "docker" / "Dockerfile").read_text()
    for check, reason in re.findall(r"# checkov:skip=(CKV\w+): (.+)", dockerfile):
        assert len(reason) > 20, check


def test_only_the_api_and_dagster_reach_postgresql():
    policies = resources("NetworkPolicy")
    deny = policies["ic-default-deny"]["spec"]
    assert deny["podSelector"] == {} and set(deny["policyTypes"]) == {"Ingress", "Egress"} and "egress" not in deny
    clients = {
        name for name, d in DEPLOYMENTS.items() if d["spec"]["template"]["metadata"]["labels"].get(DATABASE_CLIENT)
    }
    assert clients == set(DEPLOYMENTS)  # the API, the code server, the webserver, the daemon
    assert RUN_POD["pod_template_spec_metadata"]["labels"][DATABASE_CLIENT] == "true"
    for name, policy in policies.items():
        for rule in policy["spec"].get("egress", []):
            if any(port.get("port") == 5432 for port in rule.get("ports", [])):
                assert policy["spec"]["podSelector"] == {"matchLabels": {DATABASE_CLIENT: "true"}}, name
    postgres = policies["ic-postgresql"]["spec"]
    assert postgres["ingress"][0]["from"] == [{"podSelector": {"matchLabels": {DATABASE_CLIENT: "true"}}}]


def test_the_image_runs_as_an_unprivileged_user():
    users = re.findall(r"^USER (\S+)", (ROOT / "docker" / "Dockerfile").read_text(), re.MULTILINE)
    assert users and users[-1].split(":")[0] not in ("root", "0")


def test_compose_keeps_the_ui_local_and_both_deployments_pass_the_modes_and_keys():
    services = yaml.safe_load((ROOT / "docker" / "compose.yaml").read_text())["services"]
    assert services["webserver"]["ports"] == ["${IC_WEBSERVER_BIND:-127.0.0.1}:3000:3000"]
    keys = {"IC_SOURCE_MODE", "EDGAR_USER_AGENT", "POLYGON_API_KEY", "RATINGS_API_TOKEN"}
    assert keys <= set(services["user_code"]["environment"])
    launcher = INSTANCE["run_launcher"]["config"]
    assert "ic-settings" in launcher["env_config_maps"] and "ic-source-keys" in launcher["env_secrets"]
    for name in ("ic-user-code", "ic-dagster-daemon"):
        sources = DEPLOYMENTS[name]["spec"]["template"]["spec"]["containers"][0]["envFrom"]
        assert {"configMapRef": {"name": "ic-settings"}} in sources and {
            "secretRef": {"name": "ic-source-keys"}
        } in sources
    assert resources("ConfigMap")["ic-settings"]["data"]["IC_SOURCE_MODE"] == "live"
    assert keys - {"IC_SOURCE_MODE"} <= set(resources("Secret")["ic-source-keys"]["stringData"])


def test_dagsters_own_postgresql_connections_time_out_too():
    for instance in (yaml.safe_load((ROOT / "docker" / "dagster.yaml").read_text()), INSTANCE):
        params = instance["storage"]["postgres"]["postgres_db"]["params"]
        assert params["connect_timeout"] == 10 and params["keepalives"] == 1
