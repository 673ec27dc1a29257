#!/usr/bin/env bash
# Builds the libFuzzer targets into .build-fuzz/: rlp, tx, contracts, jsonrpc, eip712, evm.
#
# Each target is the module sources it exercises plus one harness from Fuzz/, compiled with
# `swiftc -sanitize=fuzzer,address` (libFuzzer + AddressSanitizer; Swift's own traps —
# overflow, bounds, force-unwrap — are crashes too). Primitives and the secp256k1 part of
# EthCrypto are compiled once as instrumented modules and linked into every target. swift-crypto
# (SwiftPM-only: BoringSSL) is replaced by Fuzz/CryptoShim.swift, a module named Crypto with
# the one call EthCrypto's Hash160.swift and the EVM's precompiles make (SHA256.hash(data:)).
# A target is rebuilt only when one of its sources changed. Usage: Fuzz/build.sh [target…]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
out="$root/.build-fuzz"
mods="$out/modules"
mkdir -p "$mods" "$out/obj"
flags=(-O -g -swift-version 6 -parse-as-library -sanitize=fuzzer,address)

# fresh <output> <inputs…>: true when <output> exists and is newer than every input.
fresh() {
    local o=$1; shift
    [ -e "$o" ] || return 1
    local f
    for f in "$@"; do [ "$f" -nt "$o" ] && return 1; done
    return 0
}

module() {  # module <name> <object> <sources…>
    local name=$1 obj=$2; shift 2
    if fresh "$obj" "$@" "$0"; then return 0; fi
    echo "fuzz build: module $name" >&2
    swiftc "${flags[@]}" -wmo -module-name "$name" -I "$mods" -I Sources/CSecp256k1 \
        -emit-module -emit-module-path "$mods/$name.swiftmodule" -c "$@" -o "$obj" 2> >(grep -v "warning: Cannot export local symbol" >&2)
}

target() {  # target <name> <module name> <sources…> -- <objects/libs…>
    local name=$1 modname=$2; shift 2
    local srcs=() libs=()
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do srcs+=("$1"); shift; done
    [ $# -gt 0 ] && shift
    libs=("$@")
    local deps=("${srcs[@]}")
    for l in "${libs[@]}"; do [ -f "$l" ] && deps+=("$l"); done
    if fresh "$out/$name" "${deps[@]}" "$0"; then return 0; fi
    echo "fuzz build: target $name" >&2
    swiftc "${flags[@]}" -module-name "$modname" -I "$mods" -I Sources/CSecp256k1 "${srcs[@]}" "${libs[@]}" \
        -o "$out/$name" 2> >(grep -v "warning: Cannot export local symbol" >&2)
}

prims="$out/obj/Primitives.o"
crypto="$out/obj/EthCrypto.o"
shim="$out/obj/Crypto.o"
evm="$out/obj/EVM.o"
ethcrypto() {
    module Crypto "$shim" Fuzz/CryptoShim.swift
    module EthCrypto "$crypto" Sources/EthCrypto/Secp256k1.swift Sources/EthCrypto/TransactionSender.swift \
        Sources/EthCrypto/Hash160.swift
}
# The EVM module (after ethcrypto): the evm target's interpreter, and the tx target's
# validation (EVM.validateStateless).
evmmodule() {
    module EVM "$evm" Sources/EVM/*.swift Sources/EVM/Precompiles/*.swift
}
module Primitives "$prims" Sources/Primitives/*.swift
want=${*:-rlp tx contracts jsonrpc eip712 evm}
for t in $want; do
    case $t in
    rlp) target rlp FuzzRLP Fuzz/RLPFuzz.swift -- "$prims" ;;
    tx)
        ethcrypto
        evmmodule
        target tx FuzzTx Fuzz/TransactionFuzz.swift -- "$prims" "$crypto" "$shim" "$evm" -lsecp256k1 ;;
    contracts)
        ethcrypto
        target contracts FuzzContracts Sources/Contracts/*.swift Fuzz/ContractsFuzz.swift -- "$prims" "$crypto" "$shim" -lsecp256k1 ;;
    jsonrpc)
        target jsonrpc FuzzRPC Sources/RPC/JSON.swift Sources/RPC/JSONRPC.swift Sources/RPC/Params.swift \
            Sources/RPC/Transport/Connection.swift Fuzz/JSONRPCFuzz.swift -- "$prims" ;;
    eip712) target eip712 FuzzEIP712 Sources/RPC/JSON.swift Sources/RPC/Methods/EIP712.swift Fuzz/EIP712Fuzz.swift -- "$prims" ;;
    evm)
        ethcrypto
        evmmodule
        target evm FuzzEVM Fuzz/EVMFuzz.swift -- "$prims" "$crypto" "$shim" "$evm" -lsecp256k1 ;;
    *) echo "fuzz build: unknown target $t (rlp, tx, contracts, jsonrpc, eip712, evm)" >&2; exit 2 ;;
    esac
done
