#!/usr/bin/env bash
# Builds the Lambda zips of Switchboard's AWS serverless mode: deploy/aws/build/<product>.zip, each holding
# `bootstrap` (the product's binary, built with the Swift runtime linked in) and, only when the binary
# needs shared libraries that are not part of glibc, those libraries under lib/ (Lambda puts
# /var/task/lib on LD_LIBRARY_PATH). template.yaml's CodeUri values name these files.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$SCRIPT_DIR/../.." && pwd)

# The functions of template.yaml: the edge (authorizer), router, media, rag and audit products.
PRODUCTS=(switchboard-edge switchboard-router switchboard-media switchboard-rag switchboard-audit)
# glibc of the provided.al2023 runtime (Amazon Linux 2023). A binary needing a newer GLIBC_x.y symbol
# version does not start there ("version `GLIBC_2.36' not found").
TARGET_GLIBC=2.34
DEFAULT_SWIFT_IMAGE=swift:6.3-amazonlinux2

usage() {
    cat <<EOF
Usage: deploy/aws/build.sh [options]

Builds one zip per Lambda function into the output directory (default deploy/aws/build):
  ${PRODUCTS[*]}
Each zip holds bootstrap (SWITCHBOARD_NO_KAFKA=1 swift build -c release --static-swift-stdlib
--product <name>: the service binaries without the Kafka queue, so no librdkafka) and, only if ldd
shows shared libraries outside glibc, those libraries under lib/.

Options:
  --arch ARCH           arm64 or x86_64 (default: this machine's; must match the template's
                        Architecture parameter). Without --docker it must be this machine's.
  --docker              build inside the Swift Amazon Linux image (glibc <= ${TARGET_GLIBC}; needed when
                        this machine's glibc is newer than Amazon Linux 2023's, e.g. Debian 12)
  --swift-image IMAGE   the image for --docker (default ${DEFAULT_SWIFT_IMAGE}; any
                        swift:<version>-amazonlinux2 or Amazon Linux 2023 based Swift image)
  --output DIR          where the zips go (default deploy/aws/build)
  --config FILE         also put FILE into every zip as switchboard.yaml (then deploy with
                        ConfigPath=/var/task/switchboard.yaml)
  --bin-dir DIR         package the binaries already in DIR instead of building
  --allow-newer-glibc   warn instead of failing when a binary needs glibc > ${TARGET_GLIBC}
  -h, --help            this text

The glibc check: the highest GLIBC_x.y version among the binary's (and bundled libraries')
dynamic symbols (objdump -T) must not exceed ${TARGET_GLIBC}. A build on Debian 12 (glibc 2.36)
usually fails it; use --docker there.
EOF
}

die() {
    echo "build.sh: error: $*" >&2
    exit 1
}

warn() {
    echo "build.sh: warning: $*" >&2
}

host_arch() {
    case "$(uname -m)" in
        x86_64 | amd64) echo x86_64 ;;
        aarch64 | arm64) echo arm64 ;;
        *) uname -m ;;
    esac
}

# "2.34" <= "2.36" as versions.
version_le() {
    [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n1)" = "$1" ]
}

# The highest GLIBC_x.y symbol version a file requires (empty if none).
max_glibc() {
    objdump -T "$1" 2>/dev/null | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/^GLIBC_//' | sort -Vu | tail -n1
}

# Shared objects that belong to glibc (or the kernel) and so exist on every Lambda runtime.
is_glibc_library() {
    case "$1" in
        linux-vdso.so.* | linux-gate.so.* | ld-linux*.so.* | ld64.so.*) return 0 ;;
        libc.so.* | libm.so.* | libdl.so.* | libpthread.so.* | librt.so.* | libutil.so.* | libresolv.so.*) return 0 ;;
        libanl.so.* | libnsl.so.* | libcrypt.so.* | libmvec.so.*) return 0 ;;
        *) return 1 ;;
    esac
}

ARCH=$(host_arch)
USE_DOCKER=0
SWIFT_IMAGE=$DEFAULT_SWIFT_IMAGE
OUTPUT="$SCRIPT_DIR/build"
CONFIG=""
BIN_DIR=""
ALLOW_NEWER_GLIBC=0

while [ $# -gt 0 ]; do
    case "$1" in
        --arch)
            [ $# -ge 2 ] || die "--arch needs a value"
            ARCH=$2
            shift 2
            ;;
        --docker)
            USE_DOCKER=1
            shift
            ;;
        --swift-image)
            [ $# -ge 2 ] || die "--swift-image needs a value"
            SWIFT_IMAGE=$2
            shift 2
            ;;
        --output)
            [ $# -ge 2 ] || die "--output needs a value"
            OUTPUT=$2
            shift 2
            ;;
        --config)
            [ $# -ge 2 ] || die "--config needs a value"
            CONFIG=$2
            shift 2
            ;;
        --bin-dir)
            [ $# -ge 2 ] || die "--bin-dir needs a value"
            BIN_DIR=$2
            shift 2
            ;;
        --allow-newer-glibc)
            ALLOW_NEWER_GLIBC=1
            shift
            ;;
        -h | --help)
            usage
            exit 0
            ;;
        *)
            usage >&2
            die "unknown option: $1"
            ;;
    esac
done

case "$ARCH" in
    arm64 | x86_64) ;;
    *) die "--arch must be arm64 or x86_64, not $ARCH" ;;
esac
mkdir -p "$OUTPUT"
OUTPUT=$(cd "$OUTPUT" && pwd)
if [ -n "$CONFIG" ]; then
    [ -f "$CONFIG" ] || die "--config: no such file: $CONFIG"
    CONFIG=$(cd "$(dirname "$CONFIG")" && pwd)/$(basename "$CONFIG")
fi

# ---------------------------------------------------------------------------------------------------
# --docker: run this script inside the Amazon Linux Swift image, for the requested architecture.

if [ "$USE_DOCKER" = 1 ]; then
    command -v docker >/dev/null 2>&1 || die "--docker needs docker (or build natively on Amazon Linux)"
    case "$ARCH" in
        arm64) PLATFORM=linux/arm64 ;;
        x86_64) PLATFORM=linux/amd64 ;;
    esac
    case "$OUTPUT" in
        "$REPO"/*) ;;
        *) die "with --docker, --output must be inside the repository ($REPO)" ;;
    esac
    inner_args=(--arch "$ARCH" --output "/src/${OUTPUT#"$REPO"/}")
    if [ -n "$CONFIG" ]; then
        case "$CONFIG" in
            "$REPO"/*) inner_args+=(--config "/src/${CONFIG#"$REPO"/}") ;;
            *) die "with --docker, --config must be inside the repository ($REPO)" ;;
        esac
    fi
    if [ "$ALLOW_NEWER_GLIBC" = 1 ]; then
        inner_args+=(--allow-newer-glibc)
    fi
    echo "build.sh: building in $SWIFT_IMAGE ($PLATFORM)"
    # A separate scratch path keeps the container's .build (Amazon Linux objects) apart from the host's.
    # shellcheck disable=SC2016  # expanded inside the container
    docker run --rm --platform "$PLATFORM" \
        -v "$REPO":/src -w /src \
        "$SWIFT_IMAGE" \
        bash -euc '
            for tool in zip objdump; do
                if ! command -v "$tool" >/dev/null 2>&1; then
                    (dnf -y install zip binutils || yum -y install zip binutils) >/dev/null
                fi
            done
            SWIFTPM_SCRATCH=/src/.build-lambda exec deploy/aws/build.sh "$@"
        ' build.sh "${inner_args[@]}"
    exit 0
fi

# ---------------------------------------------------------------------------------------------------
# Native build (or --bin-dir): build, check, package.

for tool in zip objdump ldd; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is required (apt-get install zip binutils / dnf install zip binutils)"
done

if [ -z "$BIN_DIR" ]; then
    [ "$ARCH" = "$(host_arch)" ] \
        || die "this machine is $(host_arch); building $ARCH needs --docker (or a machine of that architecture)"
    command -v swift >/dev/null 2>&1 || die "swift is not on PATH (or use --docker)"
    SCRATCH=${SWIFTPM_SCRATCH:-$REPO/.build-lambda}
    cd "$REPO"
    # The functions never run self-hosted mode: build them without the Kafka queue, so that they do not link
    # librdkafka (Package.swift reads this variable).
    export SWITCHBOARD_NO_KAFKA=1
    for product in "${PRODUCTS[@]}"; do
        echo "build.sh: swift build -c release --static-swift-stdlib --product $product"
        swift build -c release --static-swift-stdlib --scratch-path "$SCRATCH" --product "$product"
    done
    BIN_DIR=$(swift build -c release --static-swift-stdlib --scratch-path "$SCRATCH" --show-bin-path)
fi
[ -d "$BIN_DIR" ] || die "no such directory: $BIN_DIR"

STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
failed=0

# Records whether $1 needs glibc newer than Amazon Linux 2023's; prints nothing when it does not.
# product_ok=0 after a failure (a warning only, with --allow-newer-glibc).
check_glibc() {
    local file=$1 label=$2 needed
    needed=$(max_glibc "$file")
    [ -n "$needed" ] || return 0
    if version_le "$needed" "$TARGET_GLIBC"; then
        return 0
    elif [ "$ALLOW_NEWER_GLIBC" = 1 ]; then
        warn "$label needs GLIBC_$needed but Amazon Linux 2023 has $TARGET_GLIBC: it will not start on Lambda"
    else
        echo "build.sh: error: $label needs GLIBC_$needed, newer than Amazon Linux 2023's glibc $TARGET_GLIBC" >&2
        echo "build.sh: error:   (on Lambda: \"version \`GLIBC_$needed' not found\")" >&2
        product_ok=0
    fi
}

for product in "${PRODUCTS[@]}"; do
    binary="$BIN_DIR/$product"
    [ -x "$binary" ] || die "no binary $binary"
    echo "build.sh: packaging $product"
    work="$STAGE/$product"
    mkdir -p "$work"
    cp "$binary" "$work/bootstrap"
    chmod 755 "$work/bootstrap"

    case "$(objdump -f "$binary" | sed -n 's/.*architecture: \([^,]*\).*/\1/p')" in
        *x86-64*) binary_arch=x86_64 ;;
        *aarch64*) binary_arch=arm64 ;;
        *) binary_arch=unknown ;;
    esac
    [ "$binary_arch" = "$ARCH" ] || die "$binary is $binary_arch, not $ARCH"

    product_ok=1
    check_glibc "$work/bootstrap" "$product"

    # Libraries outside glibc: bundle them (ldd lists the transitive closure).
    while read -r name path; do
        [ -n "$name" ] || continue
        is_glibc_library "$name" && continue
        if [ "$path" = "not-found" ]; then
            die "$product needs $name, which is not installed here"
        fi
        case "$name" in
            librdkafka.so.*)
                die "$product links $name: build the Lambda binaries with SWITCHBOARD_NO_KAFKA=1 (this script does)"
                ;;
        esac
        mkdir -p "$work/lib"
        cp -L "$path" "$work/lib/$name"
        check_glibc "$work/lib/$name" "$product: lib/$name"
    done < <(ldd "$binary" | awk '
        $2 == "=>" && $3 == "not" { print $1, "not-found"; next }
        $2 == "=>" && $3 ~ /^\// { print $1, $3; next }
        $1 ~ /^\// { n = split($1, parts, "/"); print parts[n], $1 }')
    if [ -d "$work/lib" ]; then
        # Lambda searches /lib64 and /usr/lib64 before /var/task/lib: a library the runtime has
        # (libstdc++, libgcc_s) is taken from the runtime and the bundled copy is only a fallback.
        echo "build.sh:   bundled under lib/: $(find "$work/lib" -type f -printf '%f\n' | sort | tr '\n' ' ')"
    fi

    if [ -n "$CONFIG" ]; then
        cp "$CONFIG" "$work/switchboard.yaml"
    fi

    rm -f "$OUTPUT/$product.zip"
    if [ "$product_ok" != 1 ]; then
        failed=1
        echo "build.sh:   no zip for $product (it would not start on Lambda)" >&2
        continue
    fi
    (cd "$work" && zip -q -r -X "$OUTPUT/$product.zip" .)
    echo "build.sh:   $OUTPUT/$product.zip ($(du -h "$OUTPUT/$product.zip" | cut -f1))"
done

if [ "$failed" != 0 ]; then
    echo "build.sh: error: binaries or libraries need a newer glibc than Amazon Linux 2023's $TARGET_GLIBC (see above);" >&2
    echo "build.sh: error: build inside the Amazon Linux Swift image: deploy/aws/build.sh --docker --arch $ARCH" >&2
    exit 1
fi
echo "build.sh: done; deploy with: sam deploy --guided --template-file deploy/aws/template.yaml"
