//! What a cluster needs to run the webhook, as one multi-document YAML stream.
//!
//! Namespace (Pod Security `restricted` enforced on it), ServiceAccount with no token and no
//! permissions (the webhook reads nothing from the API: least privilege is none), the policy
//! ConfigMap, the TLS Secret (when the certificates are generated here), Deployment (2
//! replicas, spread over nodes, restricted security context, probes), PodDisruptionBudget,
//! Service, and the ValidatingWebhookConfiguration: `timeoutSeconds: 3`, `sideEffects: None`
//! (so dry-run requests are sent too), a namespaceSelector exempting the webhook's namespace
//! and kube-system (a webhook that is down can never block its own recovery or the control
//! plane), and the failurePolicy the user chose (see `docs/admission.md`).

use std::fmt::Write;

use base64::Engine;

use crate::certs::{service_names, CertError};

/// `Fail` (fail closed, the default) or `Ignore` (fail open).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailurePolicy {
    Fail,
    Ignore,
}

#[derive(Debug, Clone)]
pub struct ManifestOptions {
    pub namespace: String,
    pub name: String,
    pub image: String,
    pub failure_policy: FailurePolicy,
    /// The CA that signed the serving certificate (PEM). `None`: a CA and a serving
    /// certificate are generated and a TLS Secret is included.
    pub ca_bundle: Option<String>,
    /// The policy file text put into the ConfigMap.
    pub policy: String,
}

/// A default policy: Pod Security Standards baseline everywhere, enforced; restricted as a
/// warning.
pub const DEFAULT_POLICY: &str = "apiVersion: palisade.dev/v1alpha1
kind: AdmissionPolicy
policies:
  - name: pss-baseline
    mode: enforce
    posture:
      framework: pss-baseline
  - name: pss-restricted
    mode: warn
    posture:
      framework: pss-restricted
  - name: no-latest
    mode: warn
    registry:
      forbidLatest: true
";

/// A CA and a serving certificate for the Service's DNS names: (CA PEM, cert PEM, key PEM).
pub fn generate_certs(name: &str, namespace: &str) -> Result<(String, String, String), CertError> {
    let err = |e: rcgen::Error| CertError::Generate(e.to_string());
    let ca_key = rcgen::KeyPair::generate().map_err(err)?;
    let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).map_err(err)?;
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Constrained(0));
    ca.distinguished_name
        .push(rcgen::DnType::CommonName, format!("{name} CA"));
    ca.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::CrlSign,
    ];
    let ca_cert = ca.self_signed(&ca_key).map_err(err)?;
    let issuer = rcgen::Issuer::new(ca, ca_key);
    let key = rcgen::KeyPair::generate().map_err(err)?;
    let mut leaf = rcgen::CertificateParams::new(service_names(name, namespace)).map_err(err)?;
    leaf.distinguished_name
        .push(rcgen::DnType::CommonName, format!("{name}.{namespace}.svc"));
    leaf.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    let cert = leaf.signed_by(&key, &issuer).map_err(err)?;
    Ok((ca_cert.pem(), cert.pem(), key.serialize_pem()))
}

fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s.as_bytes())
}

fn indent(text: &str, n: usize) -> String {
    let pad = " ".repeat(n);
    text.lines()
        .map(|l| format!("{pad}{l}\n"))
        .collect::<String>()
}

/// The manifests, ready for `kubectl apply -f -`.
pub fn render(o: &ManifestOptions) -> Result<String, CertError> {
    let (ca, secret) = match &o.ca_bundle {
        Some(ca) => (ca.clone(), None),
        None => {
            let (ca, cert, key) = generate_certs(&o.name, &o.namespace)?;
            (ca, Some((cert, key)))
        }
    };
    let (ns, name, image) = (&o.namespace, &o.name, &o.image);
    let failure = match o.failure_policy {
        FailurePolicy::Fail => "Fail",
        FailurePolicy::Ignore => "Ignore",
    };
    let mut out = String::new();
    let _ = write!(
        out,
        "apiVersion: v1
kind: Namespace
metadata:
  name: {ns}
  labels:
    pod-security.kubernetes.io/enforce: restricted
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {name}
  namespace: {ns}
# The webhook reads nothing from the Kubernetes API: no token, no Role, no binding.
automountServiceAccountToken: false
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {name}-policies
  namespace: {ns}
data:
  policies.yaml: |
{policy}",
        policy = indent(&o.policy, 4)
    );
    if let Some((cert, key)) = &secret {
        let _ = write!(
            out,
            "---
apiVersion: v1
kind: Secret
metadata:
  name: {name}-tls
  namespace: {ns}
type: kubernetes.io/tls
data:
  tls.crt: {}
  tls.key: {}
",
            b64(cert),
            b64(key)
        );
    }
    let _ = write!(
        out,
        "---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: {ns}
  labels: {{app.kubernetes.io/name: {name}}}
spec:
  replicas: 2
  selector:
    matchLabels: {{app.kubernetes.io/name: {name}}}
  template:
    metadata:
      labels: {{app.kubernetes.io/name: {name}}}
    spec:
      serviceAccountName: {name}
      automountServiceAccountToken: false
      affinity:
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
            - weight: 100
              podAffinityTerm:
                topologyKey: kubernetes.io/hostname
                labelSelector:
                  matchLabels: {{app.kubernetes.io/name: {name}}}
      securityContext:
        runAsNonRoot: true
        runAsUser: 65532
        runAsGroup: 65532
        seccompProfile: {{type: RuntimeDefault}}
      containers:
        - name: webhook
          image: {image}
          args:
            - admission
            - serve
            - --listen=0.0.0.0:8443
            - --tls-cert=/tls/tls.crt
            - --tls-key=/tls/tls.key
            - --policy=/policies/policies.yaml
            - --namespace={ns}
          ports:
            - {{name: https, containerPort: 8443}}
          readinessProbe:
            httpGet: {{path: /healthz, port: https, scheme: HTTPS}}
            periodSeconds: 5
          livenessProbe:
            httpGet: {{path: /healthz, port: https, scheme: HTTPS}}
            periodSeconds: 10
          resources:
            requests: {{cpu: 100m, memory: 64Mi}}
            limits: {{cpu: \"1\", memory: 256Mi}}
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities: {{drop: [ALL]}}
          volumeMounts:
            - {{name: tls, mountPath: /tls, readOnly: true}}
            - {{name: policies, mountPath: /policies, readOnly: true}}
      volumes:
        - name: tls
          secret: {{secretName: {name}-tls}}
        - name: policies
          configMap: {{name: {name}-policies}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {name}
  namespace: {ns}
spec:
  minAvailable: 1
  selector:
    matchLabels: {{app.kubernetes.io/name: {name}}}
---
apiVersion: v1
kind: Service
metadata:
  name: {name}
  namespace: {ns}
spec:
  selector: {{app.kubernetes.io/name: {name}}}
  ports:
    - {{name: https, port: 443, targetPort: https}}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: {name}
webhooks:
  - name: validate.palisade.dev
    admissionReviewVersions: [v1]
    sideEffects: None
    timeoutSeconds: 3
    # {failure_doc}
    failurePolicy: {failure}
    matchPolicy: Equivalent
    clientConfig:
      service: {{name: {name}, namespace: {ns}, path: /validate, port: 443}}
      caBundle: {ca_b64}
    # Never the webhook's own namespace nor kube-system: no deadlock when it is down.
    namespaceSelector:
      matchExpressions:
        - key: kubernetes.io/metadata.name
          operator: NotIn
          values: [{ns}, kube-system]
    rules:
      - apiGroups: [\"\"]
        apiVersions: [v1]
        operations: [CREATE, UPDATE]
        resources: [pods, pods/ephemeralcontainers, replicationcontrollers]
        scope: Namespaced
      - apiGroups: [apps]
        apiVersions: [v1]
        operations: [CREATE, UPDATE]
        resources: [deployments, statefulsets, daemonsets, replicasets]
        scope: Namespaced
      - apiGroups: [batch]
        apiVersions: [v1]
        operations: [CREATE, UPDATE]
        resources: [jobs, cronjobs]
        scope: Namespaced
",
        failure_doc = match o.failure_policy {
            FailurePolicy::Fail => "Fail: when no replica answers within 3 s, the request is refused (fail closed).",
            FailurePolicy::Ignore => "Ignore: when no replica answers within 3 s, the request is admitted unchecked (fail open).",
        },
        ca_b64 = b64(&ca),
    );
    Ok(out)
}
