/// The most positional params each method takes (see `MethodTable.limitParams`). The `eth_`,
/// `net_` and `txpool_` entries follow execution-apis (RPCTests checks them against its
/// OpenRPC document), except where stakenet accepts more: `eth_call`/`eth_estimateGas` take
/// state overrides third, `eth_newPendingTransactionFilter` geth's optional full-tx flag.
/// Cheats follow Anvil's signatures.
enum MethodArity {
    static let atMost: [String: Int] = [
        // web3, net, eth, txpool
        "web3_clientVersion": 0, "web3_sha3": 1,
        "net_version": 0, "net_listening": 0, "net_peerCount": 0,
        "eth_chainId": 0, "eth_blockNumber": 0, "eth_syncing": 0, "eth_mining": 0, "eth_hashrate": 0,
        "eth_coinbase": 0, "eth_accounts": 0, "eth_requestAccounts": 0,
        "eth_gasPrice": 0, "eth_maxPriorityFeePerGas": 0, "eth_blobBaseFee": 0, "eth_feeHistory": 3,
        "eth_getBalance": 2, "eth_getTransactionCount": 2, "eth_getCode": 2, "eth_getStorageAt": 3,
        "eth_getBlockByNumber": 2, "eth_getBlockByHash": 2, "eth_getBlockReceipts": 1,
        "eth_getBlockTransactionCountByNumber": 1, "eth_getBlockTransactionCountByHash": 1,
        "eth_getTransactionByBlockNumberAndIndex": 2, "eth_getTransactionByBlockHashAndIndex": 2,
        "eth_getUncleCountByBlockHash": 1, "eth_getUncleCountByBlockNumber": 1,
        "eth_getUncleByBlockHashAndIndex": 2, "eth_getUncleByBlockNumberAndIndex": 2,
        "eth_getTransactionByHash": 1, "eth_getTransactionReceipt": 1,
        "eth_sendRawTransaction": 1, "eth_sendTransaction": 1, "eth_signTransaction": 1,
        "eth_call": 3, "eth_estimateGas": 3, "eth_getLogs": 1,
        "eth_newFilter": 1, "eth_newBlockFilter": 0, "eth_newPendingTransactionFilter": 1,
        "eth_getFilterChanges": 1, "eth_getFilterLogs": 1, "eth_uninstallFilter": 1,
        "eth_subscribe": 2, "eth_unsubscribe": 1,
        "eth_sign": 2, "personal_sign": 3, "eth_signTypedData": 2, "eth_signTypedData_v3": 2, "eth_signTypedData_v4": 2,
        "txpool_status": 0, "txpool_content": 0, "txpool_inspect": 0,
        "eth_networkId": 0, "eth_createAccessList": 2, "eth_sendUnsignedTransaction": 1,
        "eth_getRawTransactionByHash": 1, "debug_getRawTransaction": 1,
        // Anvil / Hardhat cheats
        "evm_mine": 1, "anvil_mine": 2, "hardhat_mine": 2,
        "evm_setAutomine": 1, "anvil_setAutomine": 1, "anvil_getAutomine": 0, "hardhat_getAutomine": 0,
        "evm_setIntervalMining": 1, "anvil_setIntervalMining": 1, "anvil_getIntervalMining": 0,
        "anvil_setNextBlockBaseFeePerGas": 1, "hardhat_setNextBlockBaseFeePerGas": 1,
        "evm_setBlockGasLimit": 1, "anvil_setBlockGasLimit": 1,
        "evm_increaseTime": 1, "anvil_increaseTime": 1, "evm_setNextBlockTimestamp": 1, "anvil_setNextBlockTimestamp": 1,
        "anvil_setTime": 1, "evm_setTime": 1,
        "anvil_setBlockTimestampInterval": 1, "anvil_removeBlockTimestampInterval": 0,
        "evm_snapshot": 0, "anvil_snapshot": 0, "evm_revert": 1, "anvil_revert": 1,
        "anvil_reset": 1, "hardhat_reset": 1,
        "anvil_setBalance": 2, "hardhat_setBalance": 2, "anvil_addBalance": 2,
        "anvil_setNonce": 2, "hardhat_setNonce": 2, "evm_setAccountNonce": 2,
        "anvil_dropTransaction": 1, "hardhat_dropTransaction": 1,
        "anvil_dropAllTransactions": 0, "hardhat_dropAllTransactions": 0, "anvil_removePoolTransactions": 1,
        "anvil_setCoinbase": 1, "hardhat_setCoinbase": 1, "anvil_setLoggingEnabled": 1, "hardhat_setLoggingEnabled": 1,
        "anvil_setMinGasPrice": 1, "hardhat_setMinGasPrice": 1,
        "anvil_impersonateAccount": 1, "hardhat_impersonateAccount": 1,
        "anvil_stopImpersonatingAccount": 1, "hardhat_stopImpersonatingAccount": 1,
        "anvil_autoImpersonateAccount": 1, "hardhat_autoImpersonateAccount": 1,
        "anvil_nodeInfo": 0, "anvil_metadata": 0, "hardhat_metadata": 0,
        "anvil_dealERC20": 3, "anvil_dealErc20": 3, "hardhat_dealERC20": 3,
        "anvil_dumpState": 1, "hardhat_dumpState": 1, "anvil_loadState": 1, "hardhat_loadState": 1,
        // stakenet
        "stakenet_status": 0, "stakenet_warp": 1, "stakenet_setApr": 1, "stakenet_setUnbondPeriod": 1,
        "stakenet_setRebaseInterval": 1, "stakenet_setOperatorMode": 1,
        "stakenet_rebase": 0, "stakenet_serveClaims": 0, "stakenet_operatorTick": 0,
        "stakenet_unstakeFeeSignature": 3,
    ]
}
