// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Multicall3's `aggregate3`, for local nodes
/// @notice Real chains have the canonical Multicall3 at 0xcA11bde05977b3631167028862bE2a173976CA11;
/// local test nodes do not. This is its `aggregate3` call, so that the auditor's batched reads can be
/// benchmarked on a local node the way they run on a real chain.
contract Multicall3 {
    /// @notice One call of a batch.
    struct Call3 {
        address target;
        bool allowFailure;
        bytes callData;
    }

    /// @notice One result of a batch.
    struct Result {
        bool success;
        bytes returnData;
    }

    /// @notice A call that was not allowed to fail failed.
    error CallFailed(uint256 index);

    /// @notice Runs the calls in order and returns each outcome.
    /// @param calls The calls.
    /// @return results Success and return data of each.
    function aggregate3(Call3[] calldata calls) external payable returns (Result[] memory results) {
        results = new Result[](calls.length);
        for (uint256 i = 0; i < calls.length; ++i) {
            // Forwarding arbitrary calls is what a multicall is for.
            // solhint-disable-next-line avoid-low-level-calls
            (bool success, bytes memory data) = calls[i].target.call(calls[i].callData);
            if (!success && !calls[i].allowFailure) revert CallFailed(i);
            results[i] = Result(success, data);
        }
    }
}
