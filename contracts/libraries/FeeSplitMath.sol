// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IProofOfAttribution} from "../interfaces/IProofOfAttribution.sol";

/// @title How an inference fee pool divides
/// @notice Contributors', developer's and validators' parts are `fees × bps / 10,000`, rounded
/// down; the protocol takes the rest, so the four parts always add up to the fees exactly.
library FeeSplitMath {
    uint256 internal constant BPS = 10_000;

    /// @notice The four parts of `fees` under `split`.
    function amounts(uint256 fees, IProofOfAttribution.FeeSplit memory split)
        internal
        pure
        returns (IProofOfAttribution.SplitAmounts memory parts)
    {
        parts.contributors = fees * split.contributorsBps / BPS;
        parts.developer = fees * split.developerBps / BPS;
        parts.validators = fees * split.validatorsBps / BPS;
        parts.protocol = fees - parts.contributors - parts.developer - parts.validators;
    }

    /// @notice The most one Merkle leaf may pay: `maxRecipientBps` of the data's share, at least one
    /// wei and at most what the root pays in total.
    function leafCap(uint256 share, uint256 maxRecipientBps, uint256 merkleTotal) internal pure returns (uint256 cap) {
        cap = share * maxRecipientBps / BPS;
        if (cap == 0) cap = 1;
        if (cap > merkleTotal) cap = merkleTotal;
    }
}
