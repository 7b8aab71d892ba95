#!/usr/bin/env python3
"""test_deploy.py BUILD_DIR - the container and Kubernetes files cannot be
run here, so check everything about them that can be checked offline:

- every YAML file under deploy/ parses (all documents);
- every command line for a service (compose `command`, Kubernetes
  `command` + `args`, systemd `ExecStart`, the Dockerfile's CMD) uses only
  flags that `rantai-SVC --help` lists, and every RANTAI_* variable set
  for a service is one its --help names;
- whatever binds off loopback runs with --security curve and has a
  --server-cert and --client-certs that are mounted (a Secret or compose
  secret for the certificate, declared by name, with the key present);
- Kubernetes: StatefulSets have one replica, a ReadWriteOnce claim template
  mounted at --data-dir, a headless Service named by serviceName; every
  volumeMount names a volume or claim; Secret/ConfigMap references (volumes,
  env valueFrom with their keys) resolve to objects in deploy/k8s;
  Services select a StatefulSet's pods and target named container ports;
  the matcher's --producer-feed/--buyer-feed name a Service and port;
  readiness probes GET /readyz and liveness /healthz on the container port
  that is the --http port; each StatefulSet has a PodDisruptionBudget
  selecting it; kustomization resources exist (and `kubectl kustomize`
  renders them when kubectl is installed);
- compose: named volumes and secrets are declared, data volumes are
  mounted at --data-dir, healthchecks ask /readyz on the --http port,
  depends_on names services; the image tag matches Kubernetes';
- Dockerfile: multi-stage FROM debian:12-slim, COPY --from names a stage,
  every COPY source exists in the repository, runs as a non-root USER.

Debian packages: python3, python3-yaml (kubectl is optional).
"""
import glob
import os
import re
import shlex
import shutil
import subprocess
import sys

try:
    import yaml
except ImportError:
    print("SKIP: python3-yaml is not installed (Debian: python3-yaml)")
    sys.exit(77)

SRC = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEPLOY = os.path.join(SRC, "deploy")
SERVICES = ("producer", "buyer", "matcher")
failures = []
checks = 0


def check(cond, msg):
    global checks
    checks += 1
    if not cond:
        failures.append(msg)
        print("FAIL: " + msg)
    return cond


def service_help(build):
    """{svc: (set of flags, set of env vars)} from the binaries."""
    out = {}
    for svc in SERVICES:
        binary = os.path.join(build, "services", "rantai-" + svc)
        if not os.access(binary, os.X_OK):
            print("FAIL: %s is not built" % binary)
            sys.exit(1)
        text = subprocess.run([binary, "--help"], capture_output=True,
                              text=True, check=True).stdout
        flags = set(re.findall(r"^  (--[a-z][a-z0-9-]*)", text, re.M))
        envs = set(re.findall(r"\[(RANTAI_[A-Z0-9_]+);", text))
        check(len(flags) > 15 and "--security" in flags,
              "rantai-%s --help lists too few flags" % svc)
        out[svc] = (flags, envs)
    return out


def parse_args(argv):
    """{flag: value} of a command line (--flag=value or --flag value)."""
    opts = {}
    i = 1
    while i < len(argv):
        a = argv[i]
        if a.startswith("--"):
            if "=" in a:
                k, v = a.split("=", 1)
            elif i + 1 < len(argv) and not argv[i + 1].startswith("--"):
                k, v = a, argv[i + 1]
                i += 1
            else:
                k, v = a, ""
            opts[k] = v
        i += 1
    return opts


def svc_of(argv0):
    m = re.match(r"^(?:.*/)?rantai-(producer|buyer|matcher)$", argv0 or "")
    return m.group(1) if m else None


def check_cmdline(where, argv, helps, env=None):
    """Flags and variables exist; curve whenever something is off
    loopback. Returns (svc, opts) or (None, {})."""
    svc = svc_of(argv[0]) if argv else None
    if not check(svc is not None, "%s: command is not a rantai service: %r"
                 % (where, argv[:1])):
        return None, {}
    flags, envs = helps[svc]
    opts = parse_args(argv)
    for f in opts:
        check(f in flags or f == "--config",
              "%s: rantai-%s has no flag %s" % (where, svc, f))
    for k in (env or {}):
        if k.startswith("RANTAI_"):
            check(k in envs, "%s: rantai-%s reads no variable %s"
                  % (where, svc, k))
    binds = [opts.get("--api", ""), opts.get("--feed", ""),
             opts.get("--http", "")]
    off_loopback = any(re.search(r"(//|^)(0\.0\.0\.0|\*|\[::\]):", b)
                       for b in binds)
    if off_loopback:
        mode = opts.get("--security") or (env or {}).get("RANTAI_SECURITY_MODE")
        if check(mode == "curve", "%s: binds off loopback without "
                 "--security curve (PROTOCOL.md s6)" % where):
            check(opts.get("--server-cert"), "%s: curve without --server-cert"
                  % where)
            check(opts.get("--client-certs"),
                  "%s: curve without --client-certs" % where)
            if svc == "matcher":
                check(opts.get("--client-cert"),
                      "%s: matcher in curve mode without --client-cert" % where)
                for k in ("PRODUCER", "BUYER"):
                    flag = "--%s-key" % k.lower()
                    check(flag in opts or "RANTAI_SECURITY_%s_KEY" % k
                          in (env or {}),
                          "%s: matcher without %s" % (where, flag))
    return svc, opts


def port_of(hostport):
    m = re.search(r":(\d+)$", hostport or "")
    return int(m.group(1)) if m else None


def under(path, mount):
    return path == mount or path.startswith(mount.rstrip("/") + "/")


def load_yaml_files():
    docs = {}
    files = sorted(glob.glob(os.path.join(DEPLOY, "**", "*.yaml"),
                             recursive=True)
                   + glob.glob(os.path.join(DEPLOY, "**", "*.yml"),
                               recursive=True))
    check(files, "no YAML files under deploy/")
    for f in files:
        try:
            with open(f) as fh:
                docs[f] = [d for d in yaml.safe_load_all(fh) if d is not None]
        except yaml.YAMLError as e:
            check(False, "%s: YAML does not parse: %s" % (f, e))
    return docs


def check_k8s(docs, helps):
    objs = [d for f, ds in docs.items() if "/k8s/" in f for d in ds
            if isinstance(d, dict) and "metadata" in d]
    by_kind = {}
    for o in objs:
        by_kind.setdefault(o["kind"], {})[o["metadata"]["name"]] = o
    secrets = by_kind.get("Secret", {})
    cmaps = by_kind.get("ConfigMap", {})
    services = by_kind.get("Service", {})
    stss = by_kind.get("StatefulSet", {})
    pdbs = by_kind.get("PodDisruptionBudget", {})
    check(len(stss) == 3, "expected 3 StatefulSets, found %s" % sorted(stss))

    def keys_of(kind, name):
        o = (secrets if kind == "Secret" else cmaps).get(name)
        if o is None:
            return None
        return set((o.get("data") or {}).keys()) | set(
            (o.get("stringData") or {}).keys())

    def matches(selector, labels):
        return all(labels.get(k) == v for k, v in selector.items())

    for name, sts in stss.items():
        where = "k8s StatefulSet " + name
        spec = sts["spec"]
        check(spec.get("replicas") == 1, where + ": replicas must be 1 "
              "(one LMDB writer)")
        tmpl = spec["template"]
        labels = tmpl["metadata"]["labels"]
        check(matches(spec["selector"]["matchLabels"], labels),
              where + ": selector does not match the pod labels")
        head = services.get(spec.get("serviceName"))
        check(head is not None and head["spec"].get("clusterIP") == "None",
              where + ": serviceName is not a headless Service")
        claims = {c["metadata"]["name"]: c
                  for c in spec.get("volumeClaimTemplates", [])}
        check(len(claims) == 1, where + ": needs exactly one claim template")
        for c in claims.values():
            check(c["spec"].get("accessModes") == ["ReadWriteOnce"],
                  where + ": claim is not ReadWriteOnce")
        pod = tmpl["spec"]
        volumes = {v["name"]: v for v in pod.get("volumes", [])}
        for v in volumes.values():
            if "secret" in v:
                check(v["secret"]["secretName"] in secrets,
                      "%s: Secret %s is not defined" % (where,
                                                        v["secret"]["secretName"]))
            if "configMap" in v:
                check(v["configMap"]["name"] in cmaps,
                      "%s: ConfigMap %s is not defined"
                      % (where, v["configMap"]["name"]))
        check(any(matches(p["spec"]["selector"]["matchLabels"], labels)
                  for p in pdbs.values()),
              where + ": no PodDisruptionBudget selects its pods")
        check(any(s["spec"].get("selector") and
                  matches(s["spec"]["selector"], labels) and
                  s["spec"].get("clusterIP") != "None"
                  for s in services.values()),
              where + ": no ClusterIP Service selects its pods")
        for c in pod["containers"]:
            cw = "%s container %s" % (where, c["name"])
            argv = list(c.get("command", [])) + list(c.get("args", []))
            env = {}
            for e in c.get("env", []):
                env[e["name"]] = e.get("value", "")
                ref = e.get("valueFrom", {})
                for kind, key in (("Secret", "secretKeyRef"),
                                  ("ConfigMap", "configMapKeyRef")):
                    if key in ref:
                        ks = keys_of(kind, ref[key]["name"])
                        check(ks is not None and ref[key]["key"] in ks,
                              "%s: %s %s has no key %s" % (
                                  cw, kind, ref[key]["name"], ref[key]["key"]))
            svc, opts = check_cmdline(cw, argv, helps, env)
            if not svc:
                continue
            mounts = {m["mountPath"]: m["name"]
                      for m in c.get("volumeMounts", [])}
            for path, vol in mounts.items():
                check(vol in volumes or vol in claims,
                      "%s: volumeMount %s names no volume" % (cw, vol))
            data_dir = opts.get("--data-dir", "")
            check(any(under(data_dir, p) and v in claims
                      for p, v in mounts.items()),
                  "%s: --data-dir %s is not on the claim" % (cw, data_dir))
            for flag in ("--server-cert", "--client-cert"):
                if flag not in opts:
                    continue
                path = opts[flag]
                hits = [(p, v) for p, v in mounts.items() if under(path, p)]
                if check(hits, "%s: %s %s is not mounted" % (cw, flag, path)):
                    p, v = hits[0]
                    vol = volumes.get(v, {})
                    check("secret" in vol, "%s: %s is not from a Secret"
                          % (cw, flag))
                    if "secret" in vol:
                        ks = keys_of("Secret", vol["secret"]["secretName"])
                        check(ks and os.path.relpath(path, p) in ks,
                              "%s: Secret %s has no key %s" % (
                                  cw, vol["secret"]["secretName"],
                                  os.path.relpath(path, p)))
            cdir = opts.get("--client-certs")
            if cdir:
                check(mounts.get(cdir) in volumes,
                      "%s: --client-certs %s is not a mounted volume"
                      % (cw, cdir))
            ports = {p["name"]: p["containerPort"] for p in c.get("ports", [])}
            http_port = port_of(opts.get("--http"))
            for probe, path in (("readinessProbe", "/readyz"),
                                ("livenessProbe", "/healthz")):
                pr = c.get(probe, {}).get("httpGet")
                if check(pr, "%s: no %s httpGet" % (cw, probe)):
                    check(pr["path"] == path, "%s: %s path %s, not %s"
                          % (cw, probe, pr["path"], path))
                    port = ports.get(pr["port"], pr["port"])
                    check(port == http_port, "%s: %s port %s is not the "
                          "--http port %s" % (cw, probe, port, http_port))
            for flag in ("--api", "--feed"):
                check(port_of(opts.get(flag)) in ports.values(),
                      "%s: %s port is not a containerPort" % (cw, flag))
            for flag in ("--producer-feed", "--buyer-feed"):
                if flag in opts:
                    m = re.match(r"tcp://([^:]+):(\d+)$", opts[flag])
                    s = services.get(m.group(1)) if m else None
                    check(s and any(p["port"] == int(m.group(2))
                                    for p in s["spec"]["ports"]),
                          "%s: %s %s is no Service port" % (cw, flag,
                                                            opts[flag]))
    # Services target named container ports of the pods they select.
    for name, s in services.items():
        sel = s["spec"].get("selector", {})
        pods = [st for st in stss.values()
                if matches(sel, st["spec"]["template"]["metadata"]["labels"])]
        if check(pods, "k8s Service %s selects no StatefulSet" % name):
            names = {p["name"] for c in pods[0]["spec"]["template"]["spec"]
                     ["containers"] for p in c.get("ports", [])}
            for p in s["spec"]["ports"]:
                check(p.get("targetPort") in names,
                      "k8s Service %s: targetPort %s is not a named "
                      "container port" % (name, p.get("targetPort")))
    kust = os.path.join(DEPLOY, "k8s", "kustomization.yaml")
    if check(os.path.exists(kust), "deploy/k8s/kustomization.yaml missing"):
        for r in docs[kust][0].get("resources", []):
            check(os.path.exists(os.path.join(DEPLOY, "k8s", r)),
                  "kustomization resource %s missing" % r)
        kubectl = shutil.which("kubectl")
        if kubectl:
            r = subprocess.run([kubectl, "kustomize",
                                os.path.join(DEPLOY, "k8s")],
                               capture_output=True, text=True, timeout=60)
            check(r.returncode == 0, "kubectl kustomize deploy/k8s: "
                  + r.stderr.strip()[-300:])
    images = {c["image"] for st in stss.values()
              for c in st["spec"]["template"]["spec"]["containers"]}
    return images


def check_compose(docs, helps):
    path = os.path.join(DEPLOY, "compose.yaml")
    if not check(path in docs, "deploy/compose.yaml missing"):
        return set()
    c = docs[path][0]
    vols = set((c.get("volumes") or {}).keys())
    secrets = c.get("secrets") or {}
    images = set()
    names = set(c["services"])
    check(names == set(SERVICES), "compose services are %s" % sorted(names))
    for name, s in c["services"].items():
        where = "compose service " + name
        images.add(s.get("image"))
        cmd = s.get("command")
        argv = shlex.split(cmd) if isinstance(cmd, str) else list(cmd or [])
        env = s.get("environment") or {}
        if isinstance(env, list):
            env = dict(e.split("=", 1) for e in env)
        svc, opts = check_cmdline(where, argv, helps, env)
        if not svc:
            continue
        mounts = {}
        for v in s.get("volumes", []):
            src, dst = v.split(":")[:2]
            mounts[dst] = src
            if not src.startswith((".", "/")):
                check(src in vols, "%s: volume %s is not declared" % (where, src))
            else:
                check(os.path.isabs(src) or src.startswith("./"),
                      "%s: bind mount %s" % (where, src))
        data_dir = opts.get("--data-dir", "")
        check(data_dir in mounts and mounts[data_dir] in vols,
              "%s: --data-dir %s is not a named volume" % (where, data_dir))
        mine = set(s.get("secrets", []))
        for m in mine:
            check(m in secrets, "%s: secret %s is not declared" % (where, m))
        for flag in ("--server-cert", "--client-cert"):
            if flag in opts:
                m = re.match(r"^/run/secrets/(.+)$", opts[flag])
                check(m and m.group(1) in mine,
                      "%s: %s %s is not one of its secrets" % (
                          where, flag, opts[flag]))
        if opts.get("--client-certs"):
            check(opts["--client-certs"] in mounts,
                  "%s: --client-certs is not mounted" % where)
        hc = " ".join((s.get("healthcheck") or {}).get("test", []))
        http_port = port_of(opts.get("--http"))
        check("/readyz" in hc and "/%d " % http_port in hc,
              "%s: healthcheck does not GET /readyz on port %s"
              % (where, http_port))
        for dep in (s.get("depends_on") or {}):
            check(dep in names, "%s: depends_on unknown %s" % (where, dep))
        for flag in ("--producer-feed", "--buyer-feed"):
            if flag in opts:
                m = re.match(r"tcp://([^:]+):(\d+)$", opts[flag])
                check(m and m.group(1) in names,
                      "%s: %s names no compose service" % (where, flag))
    for name, sec in secrets.items():
        check("file" in sec, "compose secret %s has no file" % name)
    build = (c["services"]["producer"].get("build") or {})
    if build:
        df = os.path.normpath(os.path.join(DEPLOY, build.get("context", "."),
                                           build.get("dockerfile",
                                                     "Dockerfile")))
        check(os.path.exists(df), "compose build dockerfile %s missing" % df)
    return images


def check_dockerfile(helps):
    path = os.path.join(DEPLOY, "Dockerfile")
    if not check(os.path.exists(path), "deploy/Dockerfile missing"):
        return
    text = open(path).read()
    froms = re.findall(r"^FROM\s+(\S+)(?:\s+AS\s+(\S+))?", text, re.M | re.I)
    check(len(froms) >= 2, "Dockerfile is not multi-stage")
    check(all(f[0] == "debian:12-slim" for f in froms),
          "Dockerfile stages are not all debian:12-slim: %s" % froms)
    stages = {f[1] for f in froms if f[1]}
    for src in re.findall(r"^COPY\s+--from=(\S+)", text, re.M):
        check(src in stages, "Dockerfile COPY --from=%s: no such stage" % src)
    for line in re.findall(r"^COPY\s+(?!--from)(.+)$", text, re.M):
        for s in line.split()[:-1]:
            check(os.path.exists(os.path.join(SRC, s)),
                  "Dockerfile COPY %s: not in the repository" % s)
    users = re.findall(r"^USER\s+(\S+)", text, re.M)
    check(users and not users[-1].startswith("root"),
          "Dockerfile does not end as a non-root USER")
    cmd = re.findall(r"^CMD\s+(\[.*\])", text, re.M)
    if cmd:
        argv = yaml.safe_load(cmd[-1])
        check_cmdline("Dockerfile CMD", argv, helps)


def check_systemd(helps):
    for svc in SERVICES:
        path = os.path.join(DEPLOY, "systemd", "rantai-%s.service.in" % svc)
        if not check(os.path.exists(path), "%s missing" % path):
            continue
        line = re.search(r"^ExecStart=(.*)$", open(path).read(), re.M)
        argv = shlex.split(line.group(1)) if line else []
        check_cmdline("systemd rantai-%s" % svc, argv, helps)


def main():
    if len(sys.argv) != 2:
        print("usage: test_deploy.py BUILD_DIR", file=sys.stderr)
        return 2
    helps = service_help(sys.argv[1])
    docs = load_yaml_files()
    k8s_images = check_k8s(docs, helps)
    compose_images = check_compose(docs, helps)
    check(k8s_images and k8s_images == compose_images,
          "image tags differ: k8s %s, compose %s" % (k8s_images,
                                                     compose_images))
    check_dockerfile(helps)
    check_systemd(helps)
    print("%d checks, %d failed" % (checks, len(failures)))
    print("%d passed, %d failed" % (checks - len(failures), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
