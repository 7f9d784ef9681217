#!/usr/bin/env python3
"""Writes demo/audit.log: Kubernetes audit events (audit.k8s.io/v1, one JSON object per line,
as the API server's log backend writes them) of one evening on the demo cluster, with an attack
in the middle:

 1. routine traffic: controllers, the kubelet, a developer reading pods;
 2. 21:02 the shop-api pod's service account token (stolen through the app) used with kubectl
    from 203.0.113.45: it lists the shop namespace's secrets;
 3. it binds cluster-admin to itself (a ClusterRoleBinding), reads kube-system secrets;
 4. it starts a privileged pod with the node's / mounted and host PID in kube-system, execs
    into it;
 5. it deletes the events of kube-system to cover its tracks.

Run: python3 demo/make_audit_log.py (no input; deterministic).
"""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
SA = "system:serviceaccount:shop:default"
ATTACKER = "203.0.113.45"
KUBECTL = "kubectl/v1.29.2 (linux/amd64) kubernetes/4b8e819"
events = []
n = 0


def ev(t, verb, user, resource, ns=None, name=None, sub=None, code=200, ip="10.0.0.12",
       ua="kube-controller-manager/v1.29.2", groups=None, group="", version="v1", body=None,
       uri=None, level="Metadata"):
    global n
    n += 1
    ref = {"resource": resource, "apiVersion": version}
    if group:
        ref["apiGroup"] = group
    if ns:
        ref["namespace"] = ns
    if name:
        ref["name"] = name
    if sub:
        ref["subresource"] = sub
    if uri is None:
        base = f"/apis/{group}/{version}" if group else f"/api/{version}"
        uri = base + (f"/namespaces/{ns}" if ns else "") + f"/{resource}" + (f"/{name}" if name else "") + (f"/{sub}" if sub else "")
    e = {
        "kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": level if body is None else "RequestResponse",
        "auditID": f"7d1c0a2e-0000-4000-8000-{n:012d}", "stage": "ResponseComplete",
        "requestURI": uri, "verb": verb,
        "user": {"username": user, "groups": groups or (["system:serviceaccounts", "system:serviceaccounts:shop", "system:authenticated"] if user.startswith("system:serviceaccount:") else ["system:authenticated"])},
        "sourceIPs": [ip], "userAgent": ua, "objectRef": ref,
        "responseStatus": {"metadata": {}, "code": code},
        "requestReceivedTimestamp": f"2026-12-07T{t}Z", "stageTimestamp": f"2026-12-07T{t}Z",
        "annotations": {"authorization.k8s.io/decision": "allow" if code < 400 else "forbid",
                        "authorization.k8s.io/reason": ""},
    }
    if body is not None:
        e["requestObject"] = body
    events.append(e)


# 1. Routine.
ev("20:55:01.120000", "update", "system:kube-controller-manager", "leases", "kube-system", "kube-controller-manager", group="coordination.k8s.io")
ev("20:55:03.410000", "get", "system:node:demo-node-1", "pods", "shop", "shop-api-6d5f7c9b8-x2k4q", ip="10.0.0.21", ua="kubelet/v1.29.2 (linux/amd64) kubernetes/4b8e819", groups=["system:nodes", "system:authenticated"])
ev("20:58:12.004000", "list", "alice@example.com", "pods", "shop", ip="198.51.100.7", ua=KUBECTL)
ev("20:58:40.551000", "get", "alice@example.com", "deployments", "shop", "shop-api", group="apps", ip="198.51.100.7", ua=KUBECTL)
# 2. The stolen token, from outside.
ev("21:02:17.300000", "get", SA, "pods", "shop", ip=ATTACKER, ua=KUBECTL, uri="/api/v1/namespaces/shop/pods")
ev("21:02:31.870000", "list", SA, "secrets", "shop", ip=ATTACKER, ua=KUBECTL)
# 3. Privilege: cluster-admin for itself; kube-system's secrets.
ev("21:03:05.220000", "create", SA, "clusterrolebindings", name=None, group="rbac.authorization.k8s.io", ip=ATTACKER, ua=KUBECTL, code=201,
   body={"kind": "ClusterRoleBinding", "apiVersion": "rbac.authorization.k8s.io/v1", "metadata": {"name": "shop-ops"},
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
         "subjects": [{"kind": "ServiceAccount", "name": "default", "namespace": "shop"}]})
ev("21:03:40.009000", "list", SA, "secrets", "kube-system", ip=ATTACKER, ua=KUBECTL)
ev("21:03:52.640000", "get", SA, "secrets", "kube-system", "bootstrap-token-abcdef", ip=ATTACKER, ua=KUBECTL)
# 4. A privileged pod on the node, host / mounted, then a shell in it.
pod = {"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "node-debugger", "namespace": "kube-system"},
       "spec": {"hostPID": True, "hostNetwork": True,
                "containers": [{"name": "shell", "image": "alpine:3.10", "command": ["sleep", "infinity"],
                                "securityContext": {"privileged": True},
                                "volumeMounts": [{"name": "host", "mountPath": "/host"}]}],
                "volumes": [{"name": "host", "hostPath": {"path": "/"}}]}}
ev("21:04:11.500000", "create", SA, "pods", "kube-system", ip=ATTACKER, ua=KUBECTL, code=201, body=pod)
ev("21:04:30.100000", "create", SA, "pods", "kube-system", "node-debugger", sub="exec", ip=ATTACKER, ua=KUBECTL, code=101,
   uri="/api/v1/namespaces/kube-system/pods/node-debugger/exec?command=chroot&command=%2Fhost&command=sh&container=shell&stdin=true&stdout=true&tty=true")
# 5. Covering tracks.
ev("21:07:45.330000", "deletecollection", SA, "events", "kube-system", ip=ATTACKER, ua=KUBECTL)
# Routine again.
ev("21:10:01.120000", "update", "system:kube-controller-manager", "leases", "kube-system", "kube-controller-manager", group="coordination.k8s.io")

with open(os.path.join(HERE, "audit.log"), "w") as f:
    for e in events:
        f.write(json.dumps(e, separators=(",", ":")) + "\n")
print(f"demo/audit.log: {len(events)} events")
