// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";

import {OpenToken} from "../../contracts/OpenToken.sol";

contract OpenTokenTest is Test {
    OpenToken internal token;
    address internal treasury = address(0x7EA5);

    function setUp() public {
        token = new OpenToken(treasury);
    }

    function test_MintsTheFixedSupplyToTheTreasuryOnce() public view {
        assertEq(token.totalSupply(), 1_000_000_000 ether);
        assertEq(token.balanceOf(treasury), token.TOTAL_SUPPLY());
        assertEq(token.name(), "OpenLedger");
        assertEq(token.symbol(), "OPEN");
        assertEq(token.decimals(), 18);
        (, string memory domainName, string memory domainVersion,,,,) = token.eip712Domain();
        assertEq(domainName, "OpenLedger");
        assertEq(domainVersion, "1");
    }

    function test_RefusesAZeroTreasury() public {
        vm.expectRevert(abi.encodeWithSelector(IERC20Errors.ERC20InvalidReceiver.selector, address(0)));
        new OpenToken(address(0));
    }

    function test_HasNoMintFunction() public {
        (bool ok,) = address(token).call(abi.encodeWithSignature("mint(address,uint256)", address(this), 1));
        assertFalse(ok);
    }

    function testFuzz_BurnOnlyShrinksSupply(uint256 amount) public {
        amount = bound(amount, 0, token.TOTAL_SUPPLY());
        vm.prank(treasury);
        token.burn(amount);
        assertEq(token.totalSupply(), token.TOTAL_SUPPLY() - amount);
        assertEq(token.balanceOf(treasury), token.TOTAL_SUPPLY() - amount);
    }

    function testFuzz_PermitSetsAllowance(uint256 ownerKey, uint256 value) public {
        ownerKey = bound(ownerKey, 1, 2 ** 128);
        address owner = vm.addr(ownerKey);
        address spender = address(0x5BE4D);
        uint256 deadline = block.timestamp + 1 hours;
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"),
                owner,
                spender,
                value,
                token.nonces(owner),
                deadline
            )
        );
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", token.DOMAIN_SEPARATOR(), structHash));
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(ownerKey, digest);
        token.permit(owner, spender, value, deadline, v, r, s);
        assertEq(token.allowance(owner, spender), value);
        assertEq(token.nonces(owner), 1);
    }
}
