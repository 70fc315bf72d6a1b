"""The deployment files hold: every Kubernetes manifest validates against the API's schemas
(kubernetes-validate, strict), the generated ones are current, every pod meets Pod Security
"restricted" with a read-only root filesystem, probes say what the issue asks, Redis keeps an
append-only file everywhere, and hadolint finds nothing in the Dockerfiles."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "ops" / "k8s"
MANIFESTS = sorted(K8S.glob("*.yaml"))
PODS = {"Deployment", "StatefulSet", "Job", "DaemonSet"}


def resources() -> list[tuple[str, dict[str, Any]]]:
    return [(path.name, doc) for path in MANIFESTS for doc in yaml.safe_load_all(path.read_text()) if doc]


def by_kind(kind: str) -> dict[str, dict[str, Any]]:
    return {doc["metadata"]["name"]: doc for _, doc in resources() if doc["kind"] == kind}


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda p: p.name)
def test_every_manifest_validates_against_the_kubernetes_schemas(path):
    for doc in yaml.safe_load_all(path.read_text()):
        if doc:
            kubernetes_validate.validate(doc, kubernetes_validate.latest_version(), strict=True)


def test_the_generated_manifests_are_current():
    done = subprocess.run([sys.executable, "ops/k8s/generate.py", "--check"], cwd=ROOT, timeout=60,
                          check=False)
    assert done.returncode == 0, "run `python ops/k8s/generate.py`: ops/k8s/*.yaml are stale"


def pod_specs() -> list[tuple[str, dict[str, Any]]]:
    return [(f"{doc['kind']}/{doc['metadata']['name']}", doc["spec"]["template"]["spec"])
            for _, doc in resources() if doc["kind"] in PODS]


def test_every_pod_meets_pod_security_restricted_with_a_read_only_root():
    assert pod_specs()
    for name, spec in pod_specs():
        pod = spec.get("securityContext", {})
        assert pod.get("runAsNonRoot") is True, name
        assert isinstance(pod.get("runAsUser"), int) and pod["runAsUser"] > 0, name
        assert pod.get("seccompProfile", {}).get("type") == "RuntimeDefault", name
        assert spec.get("automountServiceAccountToken") is False, name
        assert not spec.get("hostNetwork") and not spec.get("hostPID"), name
        for container in spec["containers"] + spec.get("initContainers", []):
            context = container.get("securityContext", {})
            assert context.get("allowPrivilegeEscalation") is False, (name, container["name"])
            assert context.get("readOnlyRootFilesystem") is True, (name, container["name"])
            assert context.get("capabilities", {}).get("drop") == ["ALL"], (name, container["name"])
            assert "memory" in container["resources"]["limits"], (name, container["name"])


def test_the_apps_scale_apart_with_probes_budgets_and_spread():
    deployments = by_kind("Deployment")
    assert {"gymgenius-command-api", "gymgenius-query-api", "gymgenius-realtime",
            "gymgenius-worker"} <= set(deployments)
    scalers = {doc["spec"]["scaleTargetRef"]["name"]: doc
               for doc in by_kind("HorizontalPodAutoscaler").values()}
    budgets = {doc["metadata"]["name"] for doc in by_kind("PodDisruptionBudget").values()}
    for name in ("gymgenius-command-api", "gymgenius-query-api", "gymgenius-realtime"):
        spec = deployments[name]["spec"]["template"]["spec"]
        container = spec["containers"][0]
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert "startupProbe" in container
        assert spec["topologySpreadConstraints"]
        assert scalers[name]["spec"]["metrics"][0]["resource"]["name"] == "cpu"
        assert name in budgets
    worker = deployments["gymgenius-worker"]["spec"]["template"]["spec"]["containers"][0]
    assert {"startupProbe", "livenessProbe"} <= set(worker)
    assert {m["type"] for m in scalers["gymgenius-worker"]["spec"]["metrics"]} == {"External"}
    query_env = {e["name"] for e in deployments["gymgenius-query-api"]["spec"]["template"]["spec"]
                 ["containers"][0].get("env", [])}
    assert "QUERY_DATABASE_URL" in (K8S / "config.yaml").read_text()  # the replica, from the Secret
    assert {"DATABASE_URL", "GYMGENIUS_DB_POOL_SIZE", "GYMGENIUS_DB_MAX_OVERFLOW"} <= query_env


def _env(deployment: str) -> dict[str, str]:
    container = by_kind("Deployment")[deployment]["spec"]["template"]["spec"]["containers"][0]
    return {e["name"]: e.get("value", "") for e in container.get("env", [])}


def test_each_process_has_one_pool_and_the_primary_stays_under_its_connections():
    """The arithmetic of ops/README.md ("Connections"), from the manifests themselves."""
    for name in ("command-api", "query-api", "realtime", "worker", "hot-lane"):
        env = _env(f"gymgenius-{name}")
        assert {"GYMGENIUS_DB_POOL_SIZE", "GYMGENIUS_DB_MAX_OVERFLOW"} <= set(env), name
        assert env["GYMGENIUS_DB_APPLICATION_NAME"] == f"gymgenius-{name}"
    for one_pool in ("command-api", "worker", "hot-lane"):  # no replica pool: they read none
        assert _env(f"gymgenius-{one_pool}")["QUERY_DATABASE_URL"] == ""
    worker = _env("gymgenius-worker")
    worker_max = by_kind("HorizontalPodAutoscaler")["gymgenius-worker"]["spec"]["maxReplicas"]
    listen = 1
    per_worker = int(worker["GYMGENIUS_DB_POOL_SIZE"]) + int(worker["GYMGENIUS_DB_MAX_OVERFLOW"]) + listen
    ini = (ROOT / "ops" / "backup" / "pgbouncer.ini").read_text()
    primary_pools = sum(int(line.split("pool_size=")[1].split()[0]) for line in ini.splitlines()
                        if line.startswith(("gymgenius ", "gymgenius_session ")))
    bouncers = by_kind("Deployment")["gymgenius-pgbouncer"]["spec"]["replicas"]
    init_or_rebuild, backups_and_psql = 4, 4
    hot = _env("gymgenius-hot-lane")
    hot_pods = by_kind("Deployment")["gymgenius-hot-lane"]["spec"]["replicas"]
    per_hot = int(hot["GYMGENIUS_DB_POOL_SIZE"]) + int(hot["GYMGENIUS_DB_MAX_OVERFLOW"]) + listen
    total = (worker_max * per_worker + hot_pods * per_hot + bouncers * primary_pools + init_or_rebuild
             + backups_and_psql)
    assert total <= 97, total  # max_connections = 100, 3 kept for superusers


def test_the_workers_leave_the_chat_messages_to_two_hot_lane_processes_probed_and_budgeted():
    deployments = by_kind("Deployment")
    assert _env("gymgenius-worker")["GYMGENIUS_HOT_LANE"] == "process"
    hot = deployments["gymgenius-hot-lane"]["spec"]
    container = hot["template"]["spec"]["containers"][0]
    assert container["command"] == ["python", "-m", "interfaces.workers.hot"]
    assert hot["replicas"] >= 2 and hot["template"]["spec"]["topologySpreadConstraints"]
    assert {"startupProbe", "livenessProbe"} <= set(container)
    budgets = {doc["metadata"]["name"] for doc in by_kind("PodDisruptionBudget").values()}
    assert "gymgenius-hot-lane" in budgets
    compose = yaml.safe_load((ROOT / "ops" / "compose.yaml").read_text())
    assert compose["services"]["hot-lane"]["command"] == ["python", "-m", "interfaces.workers.hot"]
    assert compose["services"]["worker"]["environment"]["GYMGENIUS_HOT_LANE"] == "process"


def test_the_init_job_is_named_per_release():
    jobs = by_kind("Job")
    assert list(jobs) == ["gymgenius-init-release"]  # RELEASE is replaced at deploy time


def test_socket_io_sessions_are_sticky_and_every_ingress_has_tls():
    ingresses = by_kind("Ingress")
    for ingress in ingresses.values():
        assert ingress["spec"]["tls"]
    realtime = ingresses["gymgenius-realtime"]["metadata"]["annotations"]
    assert realtime["nginx.ingress.kubernetes.io/affinity"] == "cookie"
    assert by_kind("Service")["gymgenius-realtime"]["spec"]["sessionAffinity"] == "ClientIP"
    assert "default-deny" in by_kind("NetworkPolicy")


def test_redis_keeps_an_append_only_file_in_every_manifest():
    redis = [c for _, spec in pod_specs() for c in spec["containers"] if c["image"].startswith("redis")]
    assert redis
    for container in redis:
        command = container["command"]
        assert command[command.index("--appendonly") + 1] == "yes"
    compose = yaml.safe_load((ROOT / "ops" / "compose.yaml").read_text())
    command = compose["services"]["redis"]["command"]
    assert command[command.index("--appendonly") + 1] == "yes"


def test_postgres_archives_its_wal_through_pgbackrest():
    postgres = by_kind("StatefulSet")["gymgenius-postgres"]["spec"]["template"]["spec"]["containers"]
    args = " ".join(postgres[0]["args"])
    assert "archive_mode=on" in args and "pgbackrest --stanza=gymgenius archive-push %p" in args
    assert [c["name"] for c in postgres] == ["postgres", "backup"]
    conf = (ROOT / "ops" / "backup" / "pgbackrest.conf").read_text()
    assert "repo1-retention-full-type=time" in conf and "repo1-retention-full=30" in conf


@pytest.mark.parametrize("dockerfile", ["ops/Dockerfile", "ops/backup/Dockerfile"])
def test_hadolint_finds_nothing(dockerfile):
    hadolint = Path(sys.executable).with_name("hadolint")
    done = subprocess.run([str(hadolint), "--no-color", "--failure-threshold", "info", dockerfile],
                          cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip() == ""
