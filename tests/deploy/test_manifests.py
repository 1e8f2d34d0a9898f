"""The compose file and the Kubernetes manifests, checked without a cluster.

Every Kubernetes document is validated against the API schemas that
kubernetes-validate bundles (no network), then held to what running
storebooks needs: probes on /readyz and /healthz, a worker grace period
longer than one job step, a migrate Job, HPAs, PDBs, resources, and a
non-root, read-only container everywhere.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from service.config import Settings
from worker.jobs import step_seconds

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
K8S = DEPLOY / "k8s"
KUBERNETES_VERSION = "1.31.0"


def documents(path: Path) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


def manifests() -> dict[tuple[str, str], dict[str, Any]]:
    """Every resource of the base and the example overlay, by kind and name."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for folder in (K8S / "base", K8S / "overlays" / "example"):
        for name in documents(folder / "kustomization.yaml")[0]["resources"]:
            if (folder / name).is_dir():
                continue
            for doc in documents(folder / name):
                found[(doc["kind"], doc["metadata"]["name"])] = doc
    return found


def pod_spec(resource: dict[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = resource["spec"]["template"]["spec"]
    return spec


def test_kustomizations_list_every_file_and_nothing_missing() -> None:
    for folder in (K8S / "base", K8S / "overlays" / "example"):
        listed = documents(folder / "kustomization.yaml")[0]["resources"]
        for name in listed:
            assert (folder / name).exists(), f"{folder.name}: {name}"
        files = {p.name for p in folder.glob("*.yaml")} - {"kustomization.yaml"}
        assert files <= set(listed), f"{folder.name}: not listed {files - set(listed)}"
    overlay = documents(K8S / "overlays" / "example" / "kustomization.yaml")[0]
    assert "../../base" in overlay["resources"] and overlay["namespace"]


@pytest.mark.parametrize("path", sorted(K8S.rglob("*.yaml")), ids=lambda p: p.name)
def test_every_manifest_is_valid_against_the_kubernetes_schema(path: Path) -> None:
    for doc in documents(path):
        if doc.get("kind") == "Kustomization":
            continue
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def test_every_container_is_non_root_read_only_and_bounded() -> None:
    workloads = [r for r in manifests().values() if r["kind"] in ("Deployment", "Job")]
    assert len(workloads) == 3
    for resource in workloads:
        spec = pod_spec(resource)
        assert spec["securityContext"]["runAsNonRoot"] is True
        assert spec["securityContext"]["runAsUser"] != 0
        assert spec.get("automountServiceAccountToken") is False
        for container in spec["containers"]:
            context = container["securityContext"]
            assert context["readOnlyRootFilesystem"] is True
            assert context["allowPrivilegeEscalation"] is False
            assert context["capabilities"]["drop"] == ["ALL"]
            for kind in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(container["resources"][kind])
            assert {"name": "tmp", "mountPath": "/tmp"} in container["volumeMounts"]
            refs = {next(iter(e.values()))["name"] for e in container["envFrom"]}
            assert refs == {"storebooks-config", "storebooks-secrets"}


def test_api_probes_service_autoscaler_and_disruption_budget() -> None:
    found = manifests()
    api = found[("Deployment", "storebooks-api")]
    (container,) = pod_spec(api)["containers"]
    assert container["args"] == ["serve"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    service = found[("Service", "storebooks-api")]
    assert service["spec"]["selector"] == api["spec"]["selector"]["matchLabels"]
    for name in ("storebooks-api", "storebooks-worker"):
        hpa = found[("HorizontalPodAutoscaler", name)]
        assert hpa["spec"]["scaleTargetRef"] == {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "name": name,
        }
        assert hpa["spec"]["minReplicas"] >= 2
        pdb = found[("PodDisruptionBudget", name)]
        target = found[("Deployment", name)]
        assert pdb["spec"]["selector"] == target["spec"]["selector"]
        assert pdb["spec"]["minAvailable"] < hpa["spec"]["minReplicas"]


def test_worker_grace_period_outlasts_a_job_step() -> None:
    worker = manifests()[("Deployment", "storebooks-worker")]
    spec = pod_spec(worker)
    (container,) = spec["containers"]
    assert container["args"] == ["worker"]
    config = manifests()[("ConfigMap", "storebooks-config")]["data"]
    settings = Settings.model_validate({"STOREBOOKS_JOB_TIMEOUT": config["STOREBOOKS_JOB_TIMEOUT"]})
    assert spec["terminationGracePeriodSeconds"] >= step_seconds(settings) + 10
    assert container["livenessProbe"]["httpGet"]["port"] == "metrics"


def test_migrate_job_and_secret_carry_what_the_processes_read() -> None:
    found = manifests()
    job = found[("Job", "storebooks-migrate")]
    (container,) = pod_spec(job)["containers"]
    assert container["args"] == ["migrate"]
    assert pod_spec(job)["restartPolicy"] in ("OnFailure", "Never")
    secret = found[("Secret", "storebooks-secrets")]["stringData"]
    assert set(secret) == {"DATABASE_URL", "REDIS_URL", "STOREBOOKS_SECRET_KEY"}
    config = found[("ConfigMap", "storebooks-config")]["data"]
    for key in config:
        assert key.upper() == key and (key.startswith("STOREBOOKS_")), key
    assert config["STOREBOOKS_LOG_FORMAT"] == "json"


def test_compose_runs_the_whole_service() -> None:
    (compose,) = documents(DEPLOY / "compose.yaml")
    services = compose["services"]
    assert set(services) == {"postgres", "valkey", "migrate", "api", "worker"}
    assert re.fullmatch(r"postgres:17(\.\d+)?-\w+", services["postgres"]["image"])
    assert re.fullmatch(r"valkey/valkey:8(\.\d+)?-\w+", services["valkey"]["image"])
    assert services["migrate"]["command"] == ["migrate"]
    assert services["migrate"]["build"]["context"] == ".."
    assert (DEPLOY / services["migrate"]["build"]["context"] / "Dockerfile").exists()
    for name in ("api", "worker"):
        service = services[name]
        assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert service["read_only"] is True and service["env_file"] == ["storebooks.env"]
    assert services["api"]["deploy"]["replicas"] == 2
    assert services["api"]["command"] == ["serve"]
    assert services["worker"]["command"] == ["worker"]
    assert services["worker"]["stop_grace_period"] == "60s"
    for name in ("postgres", "valkey"):
        assert services[name]["volumes"] and services[name]["healthcheck"]
        assert services["migrate"]["depends_on"][name]["condition"] == "service_healthy"
    assert set(compose["volumes"]) == {"postgres-data", "valkey-data"}


def test_compose_env_example_names_every_secret() -> None:
    example = (DEPLOY / "storebooks.env.example").read_text()
    keys = {line.split("=")[0] for line in example.splitlines() if "=" in line and line[0] != "#"}
    needed = {"POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB", "DATABASE_URL", "REDIS_URL"}
    assert needed | {"STOREBOOKS_SECRET_KEY"} <= keys
    assert "@postgres:5432/" in example and "redis://valkey:6379" in example
    gitignore = (DEPLOY.parent / ".gitignore").read_text().split()
    assert "deploy/storebooks.env" in gitignore


def test_grafana_dashboard_reads_only_metrics_storebooks_exports() -> None:
    import json

    from prometheus_client import REGISTRY

    from service.metrics import Snapshot, SnapshotCollector

    dashboard = json.loads((DEPLOY / "grafana" / "storebooks-dashboard.json").read_text())
    exported = {m.name for m in REGISTRY.collect() if m.name.startswith("storebooks_")}
    exported |= {m.name for m in SnapshotCollector(Snapshot(webhooks_pending=0)).collect()}
    suffixes = ("_bucket", "_count", "_sum", "_total")
    used = set()
    for panel in dashboard["panels"]:
        for target in panel["targets"]:
            used |= set(re.findall(r"storebooks_\w+", target["expr"]))
    assert used
    for name in used:
        base = next((name.removesuffix(s) for s in suffixes if name.endswith(s)), name)
        assert name in exported or base in exported, name
