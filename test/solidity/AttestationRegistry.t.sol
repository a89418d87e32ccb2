// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";

import {AttestationRegistry} from "../../contracts/AttestationRegistry.sol";
import {DatanetRegistry} from "../../contracts/DatanetRegistry.sol";
import {IAttestationRegistry} from "../../contracts/interfaces/IAttestationRegistry.sol";
import {IDatanetRegistry} from "../../contracts/interfaces/IDatanetRegistry.sol";
import {OpenToken} from "../../contracts/OpenToken.sol";
import {ValidatorStaking} from "../../contracts/ValidatorStaking.sol";

contract AttestationRegistryTest is Test {
    AttestationRegistry internal attestations;
    DatanetRegistry internal registry;
    bytes32 internal contentHash = keccak256("content");

    function setUp() public {
        OpenToken token = new OpenToken(address(this));
        registry = new DatanetRegistry(address(this), 0);
        ValidatorStaking staking = new ValidatorStaking(token, registry, address(this), address(this), 1 days, 0);
        attestations = new AttestationRegistry(registry, staking);
        registry.grantRole(registry.FINALIZER_ROLE(), address(attestations));
        uint256 datanetId = registry.createDatanet(
            IDatanetRegistry.DataKind.Text,
            "x",
            IDatanetRegistry.DatanetPolicy(100, 10, 1_000, 1_000, 1 days, false, 1e18, 2, 6_667, 8_000)
        );
        bytes32[] memory one = new bytes32[](1);
        one[0] = contentHash;
        registry.commitSubmission(keccak256(abi.encode(address(this), datanetId, keccak256(abi.encodePacked(one)), bytes32(0))));
        vm.roll(block.number + 1);
        registry.submit(datanetId, contentHash, 10, "x", bytes32(0));
        address validator = address(0xA1);
        token.transfer(validator, 10e18);
        vm.startPrank(validator);
        token.approve(address(staking), 10e18);
        staking.stake(datanetId, 10e18);
        vm.stopPrank();
    }

    function test_ValidatorIndicesRunOut() public {
        // _validatorCount sits after EIP712's two string slots and five mappings: slot 7.
        vm.store(address(attestations), bytes32(uint256(7)), bytes32(uint256(2 ** 23 - 1)));
        vm.expectRevert(IAttestationRegistry.ValidatorIndexOverflow.selector);
        vm.prank(address(0xA1));
        attestations.attest(IAttestationRegistry.Verdict(contentHash, true, 50, 0));
    }
}
