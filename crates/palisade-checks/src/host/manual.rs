//! Recommendations no program can decide: listed in every report as manual, never scored.

use super::check::{Benchmark, ManualRecommendation};

const fn docker(
    cis: &'static str,
    title: &'static str,
    review: &'static str,
) -> ManualRecommendation {
    ManualRecommendation {
        benchmark: Benchmark::CisDocker,
        cis,
        title,
        review,
    }
}

const fn kubernetes(
    cis: &'static str,
    title: &'static str,
    review: &'static str,
) -> ManualRecommendation {
    ManualRecommendation {
        benchmark: Benchmark::CisKubernetes,
        cis,
        title,
        review,
    }
}

pub static MANUAL: &[ManualRecommendation] = &[
    docker("1.1.2", "Only trusted users are allowed to control the Docker daemon", "review the members of the docker group (`getent group docker`): each of them is root on the host"),
    docker("1.2.1", "The container host has been hardened", "review the host against its operating system's CIS benchmark"),
    docker("1.2.2", "The version of Docker is up to date", "compare the daemon version in `docker version` with the supported releases"),
    docker("2.1", "Run the Docker daemon as a non-root user, if possible", "decide whether rootless mode fits the workloads"),
    docker("2.8", "The default ulimit is configured appropriately", "the right limits depend on the workloads; review `default-ulimits`"),
    docker("4.2", "Containers use only trusted base images", "review where each image's base comes from"),
    docker("4.3", "Unnecessary packages are not installed in the container", "review each image's package list (`palisade sbom`)"),
    docker("4.4", "Images are scanned and rebuilt to include security patches", "run `palisade image scan` on every image and rebuild the vulnerable ones"),
    docker("4.8", "setuid and setgid permissions are removed", "list the image's setuid/setgid files and remove the ones not needed"),
    docker("4.11", "Only verified packages are installed", "review how packages are fetched and verified in each build"),
    docker("4.12", "All signed artifacts are validated", "review signature verification in the build and deploy pipeline"),
    docker("5.9", "Only needed ports are open on the container", "compare each container's exposed ports with what the application serves"),
    docker("5.19", "The default ulimit is overwritten at runtime only if needed", "review containers started with `--ulimit`"),
    docker("5.23", "docker exec commands are not used with the privileged option", "review the daemon's audit log / events for `exec` with privileged"),
    docker("5.24", "docker exec commands are not used with the user=root option", "review the daemon's audit log / events for `exec` as root"),
    docker("5.28", "Docker commands always use the latest version of their image", "review how images are pinned and refreshed"),
    docker("6.1", "Image sprawl is avoided", "remove unused images (`docker image prune`)"),
    docker("6.2", "Container sprawl is avoided", "remove stopped containers (`docker container prune`)"),

    // CIS Kubernetes Benchmark v1.10: the recommendations it marks manual.
    kubernetes("1.2.3", "DenyServiceExternalIPs is set", "decide whether Services may use externalIPs; enable the DenyServiceExternalIPs admission plugin if not"),
    kubernetes("1.2.9", "The admission control plugin EventRateLimit is set", "decide the event rate limits the cluster needs and configure EventRateLimit"),
    kubernetes("1.2.11", "The admission control plugin AlwaysPullImages is set", "weigh image-pull cost against multi-tenant image access; enable AlwaysPullImages where tenants share nodes"),
    kubernetes("1.2.20", "The --request-timeout argument is set as appropriate", "review the API server's request timeout for the cluster's largest requests"),
    kubernetes("1.2.28", "Encryption providers are appropriately configured", "review the EncryptionConfiguration: aescbc, kms or secretbox before identity"),
    kubernetes("1.2.29", "The API server only makes use of strong cryptographic ciphers", "review --tls-cipher-suites of the API server"),
    kubernetes("1.3.1", "The --terminated-pod-gc-threshold argument is set as appropriate", "set a threshold suited to the cluster's job volume"),
    kubernetes("2.7", "A unique Certificate Authority is used for etcd", "compare etcd's --trusted-ca-file with the cluster CA"),
];
