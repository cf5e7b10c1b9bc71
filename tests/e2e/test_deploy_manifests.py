"""Static checks of deploy/: what CI can verify without a Docker daemon or a Kubernetes cluster.

The image and the compose stack are not run in CI (no Docker there); these tests hold the files to the
services' contract instead: the binaries, ports, probes, environment variables, secrets and wiring.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
K8S = DEPLOY / "k8s"

# The five services and their default listen ports (the contract of SWITCHBOARD_LISTEN).
SERVICES = {"edge": 8080, "router": 8081, "media": 8082, "rag": 8083, "audit": 8084}
PRODUCTS = ["switchboard"] + [f"switchboard-{name}" for name in SERVICES]
TOPICS = ["switchboard.audit", "switchboard.rag-ingest", "switchboard.media-jobs"]

# What every service must be given (SWITCHBOARD_CONFIG and the Kafka properties are optional by contract,
# but both deployments mount a configuration file, so they set it too).
COMMON_ENV = {
    "SWITCHBOARD_CONFIG",
    "SWITCHBOARD_LISTEN",
    "SWITCHBOARD_POSTGRES_URL",
    "SWITCHBOARD_POSTGRES_POOL_SIZE",
    "SWITCHBOARD_KAFKA_BROKERS",
    "SWITCHBOARD_INTERNAL_SECRET",
    "SWITCHBOARD_LOG_FORMAT",
    "SWITCHBOARD_LOG_LEVEL",
}
# The edge's upstreams: variable → service.
EDGE_UPSTREAMS = {f"SWITCHBOARD_{name.upper()}_URL": name for name in ("router", "media", "rag", "audit")}
# Only these services call providers and so get provider credentials.
PROVIDER_SERVICES = {"router", "media", "rag"}
PROVIDER_ENV = {"OPENAI_API_KEY", "ANTHROPIC_API_KEY", "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}
SECRET_NAME = re.compile(r"(SECRET|PASSWORD|TOKEN|API_KEY|ACCESS_KEY|CREDENTIALS)", re.IGNORECASE)
MIN_GRACE_SECONDS = 45


def load_yaml_documents(path: Path) -> list[Any]:
    with path.open(encoding="utf-8") as handle:
        return [doc for doc in yaml.safe_load_all(handle) if doc is not None]


def seconds(duration: str | int) -> float:
    """A compose duration ("45s", "1m30s", "500ms") in seconds."""
    if isinstance(duration, int):
        return float(duration)
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|us|h|m|s)", duration)
    assert parts and "".join(n + u for n, u in parts) == duration, f"not a duration: {duration!r}"
    scale = {"h": 3600, "m": 60, "s": 1, "ms": 0.001, "us": 0.000001}
    return sum(float(n) * scale[u] for n, u in parts)


def port_of(listen: str) -> int:
    host, _, port = listen.rpartition(":")
    assert host and port.isdigit(), f"SWITCHBOARD_LISTEN must be host:port, got {listen!r}"
    return int(port)


# ---------------------------------------------------------------------------------------------------------
# docker-compose


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    documents = load_yaml_documents(DEPLOY / "docker-compose.yml")
    assert len(documents) == 1
    return documents[0]


@pytest.fixture(scope="module")
def compose_services(compose: dict[str, Any]) -> dict[str, Any]:
    return compose["services"]


def compose_env(service: dict[str, Any]) -> dict[str, Any]:
    environment = service.get("environment") or {}
    if isinstance(environment, list):  # KEY=VALUE or KEY (pass-through)
        pairs = (item.split("=", 1) if "=" in item else (item, None) for item in environment)
        return {key: value for key, value in pairs}
    return dict(environment)


def test_compose_has_infrastructure_migration_and_the_five_services(compose_services: dict[str, Any]) -> None:
    expected = {"kafka", "postgres", "migrate", *SERVICES}
    assert expected <= set(compose_services), f"missing: {expected - set(compose_services)}"
    kafka = compose_services["kafka"]
    assert kafka["image"].startswith("apache/kafka:")
    kafka_env = compose_env(kafka)
    assert set(str(kafka_env["KAFKA_PROCESS_ROLES"]).split(",")) == {"broker", "controller"}, "single-node KRaft"
    assert "CONTROLLER" in str(kafka_env["KAFKA_CONTROLLER_LISTENER_NAMES"])
    assert "kafka:9092" in str(kafka_env["KAFKA_ADVERTISED_LISTENERS"])
    assert compose_services["postgres"]["image"].startswith("pgvector/pgvector:")


def test_compose_services_run_their_binary_with_a_ready_healthcheck(compose_services: dict[str, Any]) -> None:
    for name, default_port in SERVICES.items():
        service = compose_services[name]
        command = service["command"]
        command = shlex.split(command) if isinstance(command, str) else command
        assert command[0] == f"switchboard-{name}", f"{name} runs {command}"
        port = port_of(compose_env(service)["SWITCHBOARD_LISTEN"])
        assert port == default_port, f"{name} listens on {port}, its contract port is {default_port}"
        test = service["healthcheck"]["test"]
        text = " ".join(test) if isinstance(test, list) else test
        assert f"127.0.0.1:{port}/ready" in text or f"localhost:{port}/ready" in text, f"{name}: {text}"
        assert "-f" in text.split() or "--fail" in text or "-fsS" in text, f"{name}: non-2xx must fail the check"
        assert seconds(service.get("stop_grace_period", "10s")) >= MIN_GRACE_SECONDS, f"{name} drains too briefly"
        assert service["image"] == compose_services["migrate"]["image"], "one image for every binary"


def test_compose_publishes_only_the_edge(compose_services: dict[str, Any]) -> None:
    published = {name for name, service in compose_services.items() if service.get("ports")}
    assert published == {"edge"}
    (mapping,) = compose_services["edge"]["ports"]
    container_port = str(mapping).rsplit(":", 1)[-1].split("/")[0]
    assert container_port == "8080"
    for name, service in compose_services.items():
        assert service.get("network_mode") != "host", f"{name} would bypass the only-edge rule"


def test_compose_services_get_every_variable_they_need(compose_services: dict[str, Any]) -> None:
    postgres_env = compose_env(compose_services["postgres"])
    secrets = set()
    for name in SERVICES:
        env = compose_env(compose_services[name])
        missing = COMMON_ENV - {key for key, value in env.items() if value not in (None, "")}
        assert not missing, f"{name} lacks {sorted(missing)}"
        url = env["SWITCHBOARD_POSTGRES_URL"]
        match = re.fullmatch(r"postgres(?:ql)?://([^:@/]+):(\$\{[^}]+\})@postgres:5432/([\w-]+)(\?.*)?", url)
        assert match, f"{name}: SWITCHBOARD_POSTGRES_URL must point at the postgres service: {url}"
        assert match.group(1) == postgres_env["POSTGRES_USER"] and match.group(3) == postgres_env["POSTGRES_DB"]
        assert match.group(2).startswith("${POSTGRES_PASSWORD")
        brokers = env["SWITCHBOARD_KAFKA_BROKERS"].split(",")
        assert brokers and all(b.split(":")[0] in compose_services for b in brokers), f"{name}: {brokers}"
        secrets.add(env["SWITCHBOARD_INTERNAL_SECRET"])
        if name == "edge":
            for variable, upstream in EDGE_UPSTREAMS.items():
                assert env.get(variable) == f"http://{upstream}:{SERVICES[upstream]}", f"edge {variable}"
        else:
            assert not set(EDGE_UPSTREAMS) & set(env), f"{name} needs no upstream URLs"
        if name in PROVIDER_SERVICES:
            assert PROVIDER_ENV <= set(env), f"{name} lacks provider pass-through {PROVIDER_ENV - set(env)}"
        else:
            assert not PROVIDER_ENV & set(env), f"{name} must not see provider credentials"
            assert not service_env_files(compose_services[name]), f"{name} must not read providers.env"
    assert len(secrets) == 1, "all five services must share one internal secret"


def service_env_files(service: dict[str, Any]) -> list[str]:
    files = service.get("env_file") or []
    files = [files] if isinstance(files, str) else files
    return [item if isinstance(item, str) else item["path"] for item in files]


def test_compose_starts_services_after_schema_topics_and_infrastructure(compose_services: dict[str, Any]) -> None:
    for name in ("postgres", "kafka"):
        assert compose_services[name].get("healthcheck"), f"{name} needs a healthcheck for depends_on"
    for name in SERVICES:
        depends = compose_services[name]["depends_on"]
        assert isinstance(depends, dict), f"{name}: depends_on needs conditions"
        assert depends["postgres"]["condition"] == "service_healthy"
        assert depends["kafka"]["condition"] == "service_healthy"
        assert depends["migrate"]["condition"] == "service_completed_successfully"
    migrate = compose_services["migrate"]
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert migrate.get("restart", "no") == "no"
    command = migrate["command"]
    text = command if isinstance(command, str) else " ".join(command)
    assert "switchboard migrate" in text and "--postgres-url" in text
    assert "SWITCHBOARD_POSTGRES_URL" in text and "SWITCHBOARD_POSTGRES_URL" in compose_env(migrate)
    assert migrate["build"]["dockerfile"] == "deploy/Dockerfile"
    assert (DEPLOY / migrate["build"]["context"] / migrate["build"]["dockerfile"]).is_file()


def test_compose_creates_the_topics(compose_services: dict[str, Any]) -> None:
    creators = [
        (name, service)
        for name, service in compose_services.items()
        if "kafka-topics.sh" in str(service.get("command"))
    ]
    assert creators, "no service creates the Kafka topics"
    name, service = creators[0]
    script = str(service["command"])
    assert "--create" in script and "--if-not-exists" in script
    for topic in TOPICS:
        assert topic in script, f"{topic} is not created"
    for service_name in SERVICES:
        depends = compose_services[service_name]["depends_on"]
        assert depends[name]["condition"] == "service_completed_successfully"


def test_compose_holds_no_secret_literal(compose_services: dict[str, Any]) -> None:
    for name, service in compose_services.items():
        for key, value in compose_env(service).items():
            if SECRET_NAME.search(key) and value is not None:
                assert re.fullmatch(r"\$\{[A-Z0-9_]+(:?[-?][^}]*)?\}", str(value)), (
                    f"{name}.{key} must come from ${{…}} (deploy/.env), not a literal"
                )
            if isinstance(value, str) and "://" in value and "@" in value:
                credentials = value.split("://", 1)[1].split("@", 1)[0]
                if ":" in credentials:
                    assert credentials.split(":", 1)[1].startswith("${"), f"{name}.{key} embeds a password"
    text = (DEPLOY / "docker-compose.yml").read_text(encoding="utf-8")
    assert not re.search(r"\b(sk-[A-Za-z0-9]{8,}|AKIA[0-9A-Z]{16})", text), "a provider key is in the file"


def test_compose_variables_are_documented_and_required_secrets_are_blank() -> None:
    text = (DEPLOY / "docker-compose.yml").read_text(encoding="utf-8").replace("$$", "")
    used = set(re.findall(r"\$\{([A-Z0-9_]+)", text))
    required = set(re.findall(r"\$\{([A-Z0-9_]+):\?", text))
    assert required == {"POSTGRES_PASSWORD", "SWITCHBOARD_INTERNAL_SECRET"}
    example = (DEPLOY / ".env.example").read_text(encoding="utf-8")
    documented = set(re.findall(r"^#?\s*([A-Z0-9_]+)=", example, re.MULTILINE))
    assert used <= documented, f"not in deploy/.env.example: {sorted(used - documented)}"
    for name in required:  # blank, so that compose refuses to start until someone sets them
        assert re.search(rf"^{name}=\s*$", example, re.MULTILINE), f"{name} must be blank in .env.example"
    ignored = (REPO / ".gitignore").read_text(encoding="utf-8").split()
    assert "deploy/.env" in ignored and "deploy/providers.env" in ignored


def test_compose_mounts_the_configuration_file_it_names(compose_services: dict[str, Any]) -> None:
    for name in SERVICES:
        service = compose_services[name]
        target = compose_env(service)["SWITCHBOARD_CONFIG"]
        mounts = [str(volume).split(":") for volume in service.get("volumes", [])]
        sources = [source for source, destination, *_ in mounts if destination == target]
        assert sources, f"{name}: nothing is mounted at {target}"
        assert (DEPLOY / sources[0]).is_file(), f"{name}: {sources[0]} does not exist"


# ---------------------------------------------------------------------------------------------------------
# The configuration file shared by compose and Kubernetes


def key_paths(value: Any, prefix: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    if not isinstance(value, dict):
        return set()
    paths = set()
    for key, child in value.items():
        paths.add(prefix + (str(key),))
        paths |= key_paths(child, prefix + (str(key),))
    return paths


def test_configuration_uses_only_documented_keys() -> None:
    (config,) = load_yaml_documents(DEPLOY / "switchboard.yaml")
    (example,) = load_yaml_documents(REPO / "switchboard.example.yaml")
    unknown = key_paths(config) - key_paths(example)
    assert not unknown, f"keys not in switchboard.example.yaml: {sorted(unknown)}"
    drain = config["server"]["drain_timeout_seconds"]
    assert drain < MIN_GRACE_SECONDS, "the drain must end before the orchestrator kills the process"


# ---------------------------------------------------------------------------------------------------------
# Kubernetes


@pytest.fixture(scope="module")
def manifests() -> dict[str, list[dict[str, Any]]]:
    files = sorted(K8S.glob("*.yaml")) + sorted(K8S.glob("*.yml"))
    assert files
    loaded = {}
    for path in files:
        documents = load_yaml_documents(path)
        assert documents, f"{path.name} is empty"
        for document in documents:
            assert {"apiVersion", "kind"} <= set(document), f"{path.name}: a document without apiVersion/kind"
            if document["kind"] != "Kustomization":
                assert document.get("metadata", {}).get("name"), f"{path.name}: a {document['kind']} without a name"
        loaded[path.name] = documents
    return loaded


@pytest.fixture(scope="module")
def applied(manifests: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """The objects `kubectl apply -k` creates: those of the files the kustomization lists."""
    (kustomization,) = manifests["kustomization.yaml"]
    return [document for name in kustomization["resources"] for document in manifests[name]]


def of_kind(documents: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {document["metadata"]["name"]: document for document in documents if document["kind"] == kind}


def example_secrets(manifests: dict[str, list[dict[str, Any]]]) -> dict[str, set[str]]:
    secrets = {}
    for documents in manifests.values():
        for name, secret in of_kind(documents, "Secret").items():
            keys = set((secret.get("stringData") or {}).keys()) | set((secret.get("data") or {}).keys())
            secrets[name] = keys
    return secrets


def test_kustomization_lists_every_manifest_but_the_secret_example(manifests: dict[str, list[dict[str, Any]]]) -> None:
    (kustomization,) = manifests["kustomization.yaml"]
    listed = kustomization["resources"]
    assert len(listed) == len(set(listed)), "a file is listed twice"
    expected = {name for name in manifests if name != "kustomization.yaml" and ".example." not in name}
    assert set(listed) == expected, f"unlisted: {expected - set(listed)}, listed but missing: {set(listed) - expected}"
    assert not any(".example." in name for name in listed), "placeholder secrets must never be applied by -k"
    assert any(".example." in name for name in manifests), "keep the Secret example beside the manifests"


def test_every_service_has_a_deployment_running_its_binary(applied: list[dict[str, Any]]) -> None:
    deployments = of_kind(applied, "Deployment")
    assert set(deployments) == {f"switchboard-{name}" for name in SERVICES}
    for name in SERVICES:
        pod = deployments[f"switchboard-{name}"]["spec"]["template"]["spec"]
        (container,) = pod["containers"]
        assert container["command"] == [f"switchboard-{name}"]


def pod_container(deployment: dict[str, Any]) -> dict[str, Any]:
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    return container


def container_env(
    container: dict[str, Any], config_maps: dict[str, dict[str, Any]], secrets: dict[str, set[str]]
) -> tuple[dict[str, Any], set[str]]:
    """The container's variables: its own (name → value or None for valueFrom), then those of envFrom.

    Also returns the names of the optional Secrets it reads."""
    env: dict[str, Any] = {}
    optional = set()
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            name = source["configMapRef"]["name"]
            assert name in config_maps, f"envFrom names a ConfigMap that is not applied: {name}"
            env.update(config_maps[name].get("data", {}))
        if "secretRef" in source:
            name = source["secretRef"]["name"]
            assert name in secrets, f"envFrom names a Secret missing from secret.example.yaml: {name}"
            if source["secretRef"].get("optional"):
                optional.add(name)
            env.update({key: None for key in secrets[name]})
    for variable in container.get("env", []):
        if "valueFrom" in variable:
            reference = variable["valueFrom"].get("secretKeyRef")
            if reference:
                assert reference["key"] in secrets.get(reference["name"], set()), f"{reference} is not in the example"
            env[variable["name"]] = None
        else:
            env[variable["name"]] = variable["value"]
    return env, optional


def test_deployments_get_every_variable_they_need(
    applied: list[dict[str, Any]], manifests: dict[str, list[dict[str, Any]]]
) -> None:
    deployments = of_kind(applied, "Deployment")
    services = of_kind(applied, "Service")
    config_maps = of_kind(applied, "ConfigMap")
    secrets = example_secrets(manifests)
    for name, default_port in SERVICES.items():
        container = pod_container(deployments[f"switchboard-{name}"])
        env, optional = container_env(container, config_maps, secrets)
        missing = COMMON_ENV - set(env)
        assert not missing, f"{name} lacks {sorted(missing)}"
        assert port_of(env["SWITCHBOARD_LISTEN"]) == default_port
        if name == "edge":
            for variable, upstream in EDGE_UPSTREAMS.items():
                url = env[variable]
                match = re.fullmatch(r"http://([a-z0-9-]+):(\d+)", url)
                assert match, f"edge {variable}={url}"
                target = services.get(match.group(1))
                assert target, f"edge {variable} names no Service: {url}"
                assert int(match.group(2)) in {p["port"] for p in target["spec"]["ports"]}
                assert target["spec"]["selector"]["app.kubernetes.io/component"] == upstream
        else:
            assert not set(EDGE_UPSTREAMS) & set(env)
        reads_providers = "switchboard-providers" in {
            source["secretRef"]["name"] for source in container.get("envFrom", []) if "secretRef" in source
        }
        assert reads_providers == (name in PROVIDER_SERVICES), f"{name}: provider credentials only where needed"
        if reads_providers:
            assert "switchboard-providers" in optional, "provider keys are optional (mock provider without them)"
        mounted = {mount["mountPath"] for mount in container.get("volumeMounts", [])}
        assert any(env["SWITCHBOARD_CONFIG"].startswith(path + "/") for path in mounted), f"{name}: config not mounted"
        for volume in deployments[f"switchboard-{name}"]["spec"]["template"]["spec"].get("volumes", []):
            if "configMap" in volume:
                assert volume["configMap"]["name"] in config_maps


def test_deployments_probe_ready_and_health_and_set_resources(applied: list[dict[str, Any]]) -> None:
    for name, deployment in of_kind(applied, "Deployment").items():
        pod = deployment["spec"]["template"]["spec"]
        container = pod_container(deployment)
        ports = {port.get("name"): port["containerPort"] for port in container["ports"]}
        listen = next(v["value"] for v in container["env"] if v["name"] == "SWITCHBOARD_LISTEN")
        assert port_of(listen) in ports.values(), f"{name} listens on a port it does not declare"

        def probe_port(probe: dict[str, Any]) -> int:
            port = probe["httpGet"]["port"]
            return ports[port] if isinstance(port, str) else port

        readiness, liveness = container["readinessProbe"], container["livenessProbe"]
        assert readiness["httpGet"]["path"] == "/ready", name
        assert liveness["httpGet"]["path"] == "/health", name
        assert probe_port(readiness) == probe_port(liveness) == port_of(listen)
        resources = container["resources"]
        assert {"cpu", "memory"} <= set(resources["requests"]), f"{name} needs cpu and memory requests"
        assert "memory" in resources["limits"], f"{name} needs a memory limit"
        assert pod["terminationGracePeriodSeconds"] >= MIN_GRACE_SECONDS, name
        security = pod.get("securityContext", {})
        assert security.get("runAsNonRoot") is True and security.get("runAsUser", 0) != 0, name


def labels_match(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and all(labels.get(key) == value for key, value in selector.items())


def test_deployment_selectors_match_their_pods(applied: list[dict[str, Any]]) -> None:
    deployments = of_kind(applied, "Deployment")
    for name, deployment in deployments.items():
        selector = deployment["spec"]["selector"]["matchLabels"]
        assert labels_match(selector, deployment["spec"]["template"]["metadata"]["labels"]), name
        others = [other for other in deployments if other != name]
        for other in others:  # no two Deployments claim the same pods
            assert not labels_match(selector, deployments[other]["spec"]["template"]["metadata"]["labels"])


def test_services_select_existing_deployments(applied: list[dict[str, Any]]) -> None:
    deployments = of_kind(applied, "Deployment")
    services = of_kind(applied, "Service")
    assert set(services) == {f"switchboard-{name}" for name in SERVICES}
    for name, service in services.items():
        selected = [
            deployment
            for deployment in deployments.values()
            if labels_match(service["spec"]["selector"], deployment["spec"]["template"]["metadata"]["labels"])
        ]
        assert len(selected) == 1, f"Service {name} selects {len(selected)} Deployments"
        container = pod_container(selected[0])
        names = {port.get("name") for port in container["ports"]}
        numbers = {port["containerPort"] for port in container["ports"]}
        for port in service["spec"]["ports"]:
            target = port.get("targetPort", port["port"])
            assert target in names or target in numbers, f"Service {name} targets a port the pod lacks: {target}"
        assert service["spec"].get("type", "ClusterIP") == "ClusterIP", "expose the edge with your own LB/Ingress"


def test_router_autoscales_on_cpu(applied: list[dict[str, Any]]) -> None:
    deployments = of_kind(applied, "Deployment")
    autoscalers = list(of_kind(applied, "HorizontalPodAutoscaler").values())
    targets = {hpa["spec"]["scaleTargetRef"]["name"]: hpa for hpa in autoscalers}
    assert "switchboard-router" in targets, "the router must have a HorizontalPodAutoscaler"
    for name, hpa in targets.items():
        reference = hpa["spec"]["scaleTargetRef"]
        assert reference["kind"] == "Deployment" and name in deployments, f"HPA targets nothing: {reference}"
        assert hpa["apiVersion"] == "autoscaling/v2"
        resources = {m["resource"]["name"] for m in hpa["spec"]["metrics"] if m["type"] == "Resource"}
        assert "cpu" in resources
        assert 2 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
        assert "replicas" not in deployments[name]["spec"], f"{name}: the HPA owns replicas; apply would reset it"
        assert "cpu" in pod_container(deployments[name])["resources"]["requests"], "CPU utilisation needs a request"


def test_edge_and_router_have_disruption_budgets(applied: list[dict[str, Any]]) -> None:
    deployments = of_kind(applied, "Deployment")
    budgets = of_kind(applied, "PodDisruptionBudget")
    covered = set()
    for budget in budgets.values():
        assert budget["apiVersion"] == "policy/v1"
        selector = budget["spec"]["selector"]["matchLabels"]
        for name, deployment in deployments.items():
            if labels_match(selector, deployment["spec"]["template"]["metadata"]["labels"]):
                covered.add(name)
    assert {"switchboard-edge", "switchboard-router"} <= covered


def test_migrate_job_runs_the_migrations(
    applied: list[dict[str, Any]], manifests: dict[str, list[dict[str, Any]]]
) -> None:
    (job,) = of_kind(applied, "Job").values()
    pod = job["spec"]["template"]["spec"]
    assert pod["restartPolicy"] in {"OnFailure", "Never"}
    (container,) = pod["containers"]
    command = " ".join(container["command"] + container.get("args", []))
    assert "switchboard migrate" in command and "--postgres-url" in command
    env, _ = container_env(container, of_kind(applied, "ConfigMap"), example_secrets(manifests))
    assert "SWITCHBOARD_POSTGRES_URL" in env
    assert container["image"] == pod_container(of_kind(applied, "Deployment")["switchboard-edge"])["image"]


def test_images_are_one_and_set_by_the_kustomization(
    applied: list[dict[str, Any]], manifests: dict[str, list[dict[str, Any]]]
) -> None:
    (kustomization,) = manifests["kustomization.yaml"]
    images = {image["name"] for image in kustomization.get("images", [])}
    used = {pod_container(d)["image"] for d in of_kind(applied, "Deployment").values()}
    assert len(used) == 1 and used <= images, f"{used} vs kustomization images {images}"


def test_secret_example_covers_what_pods_read_and_holds_placeholders(
    manifests: dict[str, list[dict[str, Any]]],
) -> None:
    secrets = example_secrets(manifests)
    assert {"SWITCHBOARD_INTERNAL_SECRET", "SWITCHBOARD_POSTGRES_URL"} <= secrets["switchboard"]
    for documents in manifests.values():
        for secret in of_kind(documents, "Secret").values():
            for key, value in (secret.get("stringData") or {}).items():
                assert "REPLACE" in str(value), f"{key} in the example must be an obvious placeholder"


def test_configmap_carries_the_same_configuration_as_compose(applied: list[dict[str, Any]]) -> None:
    config_maps = of_kind(applied, "ConfigMap")
    (from_k8s,) = [
        yaml.safe_load(data)
        for config_map in config_maps.values()
        for key, data in (config_map.get("data") or {}).items()
        if key.endswith(".yaml")
    ]
    (from_compose,) = load_yaml_documents(DEPLOY / "switchboard.yaml")
    assert from_k8s == from_compose


# ---------------------------------------------------------------------------------------------------------
# Dockerfile


def dockerfile_stages() -> list[dict[str, Any]]:
    """The Dockerfile as stages of (instruction, arguments), continuation lines joined, comments dropped."""
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    args: dict[str, str] = {}
    stages: list[dict[str, Any]] = []
    for line in joined.splitlines():
        if not line.strip():
            continue
        instruction, _, rest = line.strip().partition(" ")
        instruction = instruction.upper()
        if instruction == "ARG" and not stages:
            name, _, default = rest.strip().partition("=")
            args[name] = default
        elif instruction == "FROM":
            match = re.fullmatch(r"(\S+)(?:\s+AS\s+(\S+))?", rest.strip(), re.IGNORECASE)
            assert match, line
            image = re.sub(r"\$\{(\w+)\}", lambda m: args.get(m.group(1), ""), match.group(1))
            stages.append({"image": image, "raw": match.group(1), "name": match.group(2), "steps": []})
        else:
            assert stages, f"{instruction} before FROM"
            stages[-1]["steps"].append((instruction, rest.strip()))
    return stages


def steps(stage: dict[str, Any], instruction: str) -> list[str]:
    return [rest for kind, rest in stage["steps"] if kind == instruction]


def test_dockerfile_builds_the_six_products_release_with_a_static_swift_runtime() -> None:
    stages = dockerfile_stages()
    assert len(stages) >= 2, "multi-stage"
    build = next(stage for stage in stages if any("swift build" in run for run in steps(stage, "RUN")))
    assert build["image"].startswith("swift:") and "bookworm" in build["image"]
    assert build["raw"].startswith("${"), "the Swift image is a build ARG"
    runs = " ".join(steps(build, "RUN"))
    assert "librdkafka-dev" in runs
    swift_builds = re.findall(r"swift build[^;&|]*", runs)
    for invocation in swift_builds:
        assert "-c release" in invocation and "--static-swift-stdlib" in invocation, invocation
    for product in PRODUCTS:
        assert re.search(rf"(?<![\w-]){re.escape(product)}(?![\w-])", runs), f"{product} is not built"


def test_dockerfile_products_exist_in_the_package() -> None:
    manifest = (REPO / "Package.swift").read_text(encoding="utf-8")
    declared = set(re.findall(r'\.executable\(\s*name:\s*"([^"]+)"', manifest))
    assert set(PRODUCTS) <= declared, f"Package.swift lacks {sorted(set(PRODUCTS) - declared)}"


def test_dockerfile_runtime_stage_is_slim_with_librdkafka_and_non_root() -> None:
    stages = dockerfile_stages()
    runtime = stages[-1]
    assert runtime["image"] == "debian:bookworm-slim"
    runs = " ".join(steps(runtime, "RUN"))
    installed = set()
    for command in re.findall(r"apt-get install([^;&|]*)", runs):
        installed |= {word for word in command.split() if not word.startswith("-")}
    assert {"librdkafka1", "ca-certificates", "tzdata"} <= installed, installed
    assert not {"librdkafka-dev", "swiftlang"} & installed, "no build tools in the runtime image"
    copies = steps(runtime, "COPY")
    assert any("--from=" in copy and copy.rstrip().endswith("/usr/local/bin/") for copy in copies)
    users = steps(runtime, "USER")
    assert users, "the runtime stage must switch to a non-root user"
    user = users[-1].split(":")[0]
    assert user not in {"root", "0"}
    assert steps(runtime, "CMD"), "a default command (help)"
    assert not steps(runtime, "ENTRYPOINT"), "the command picks the binary; no ENTRYPOINT to work around"


def test_dockerignore_keeps_local_state_out_and_sources_in() -> None:
    patterns = [
        line.strip()
        for line in (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for required in (".build", ".venv*", ".git", ".switchboard"):
        assert required in patterns or required + "*" in patterns, f".dockerignore must exclude {required}"
    for needed in ("Sources", "Package.swift", "Tests", "bench", "*"):
        assert needed not in patterns, f".dockerignore excludes {needed}, which the build needs"
