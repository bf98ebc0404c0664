#!/bin/bash
# Build a one-layer OCI image archive from the host's busybox-static, so the
# end-to-end tests need no registry and no network.
#
#   build-image.sh OUT.tar [NAME:TAG]
#
# The rootfs comes from the project's own busybox template. The archive is an
# OCI image layout in a tarball, which both `ctr images import` (containerd's
# CLI) and `podman load -i` accept; the name is carried in the index's
# annotations (containerd reads io.containerd.image.name, podman the
# ref.name).
set -euo pipefail

out=${1:?usage: build-image.sh OUT.tar [NAME:TAG]}
ref=${2:-localhost/ctr-e2e-busybox:latest}
here=$(cd "$(dirname "$0")" && pwd)
template=$here/../../templates/busybox

work=$(mktemp -d "${TMPDIR:-/tmp}/ctr-e2e-image.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/rootfs" "$work/layout" "$work/layout/blobs" "$work/layout/blobs/sha256"
"$template" "$work/rootfs" e2e >/dev/null

# Writes a file into the blob store under its digest; prints "DIGEST SIZE".
add_blob() {
	local digest size
	digest=$(sha256sum "$1" | cut -d' ' -f1)
	size=$(stat -c %s "$1")
	mv "$1" "$work/layout/blobs/sha256/$digest"
	echo "sha256:$digest $size"
}

# Numeric owners and a fixed mtime keep the layer digest stable.
tar --numeric-owner --owner=0 --group=0 --sort=name --mtime=@0 \
	-C "$work/rootfs" -cf "$work/layer.tar" .
read -r layer layer_size < <(add_blob "$work/layer.tar")

jq -n --arg layer "$layer" '{
	architecture: "amd64", os: "linux",
	config: {
		Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
		Cmd: ["/bin/sh"], WorkingDir: "/"
	},
	rootfs: {type: "layers", diff_ids: [$layer]}
}' >"$work/config.json"
read -r config config_size < <(add_blob "$work/config.json")

jq -n --arg c "$config" --argjson cs "$config_size" \
	--arg l "$layer" --argjson ls "$layer_size" '{
	schemaVersion: 2,
	mediaType: "application/vnd.oci.image.manifest.v1+json",
	config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $c, size: $cs},
	layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar", digest: $l, size: $ls}]
}' >"$work/manifest.json"
read -r manifest manifest_size < <(add_blob "$work/manifest.json")

echo '{"imageLayoutVersion":"1.0.0"}' >"$work/layout/oci-layout"
jq -n --arg m "$manifest" --argjson ms "$manifest_size" --arg ref "$ref" '{
	schemaVersion: 2,
	manifests: [{
		mediaType: "application/vnd.oci.image.manifest.v1+json",
		digest: $m, size: $ms,
		annotations: {
			"io.containerd.image.name": $ref,
			"org.opencontainers.image.ref.name": ($ref | sub(".*:"; ""))
		}
	}]
}' >"$work/layout/index.json"

tar -C "$work/layout" -cf "$out" oci-layout index.json blobs
