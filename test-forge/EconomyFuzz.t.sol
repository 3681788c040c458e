// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// forge finds tests and invariants by their `test_` / `invariant_` prefixes.
/* solhint-disable func-name-mixedcase */
// forge finds fuzz tests by their `test` prefix; `testFuzz_` names them as such.

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {IRevenueRouter} from "../contracts/interfaces/IRevenueRouter.sol";
import {IScenarioRegistry} from "../contracts/interfaces/IScenarioRegistry.sol";
import {EconomyDeployment} from "./utils/EconomyDeployment.sol";
import {MerkleBuilder} from "./utils/MerkleBuilder.sol";

/// @title EconomyFuzz
/// @notice Stateless fuzz tests of the two pieces of arithmetic the economy's invariants rest on: the revenue split
/// (DESIGN.md §5.4) and the staking accrual bound (§5.2), plus the Merkle builder the invariant campaign relies on.
contract EconomyFuzz is EconomyDeployment {
    address internal constant OPERATOR = address(uint160(uint256(keccak256("fuzz.operator"))));
    address internal constant DEVELOPER = address(uint160(uint256(keccak256("fuzz.developer"))));
    address internal constant PAYER = address(uint160(uint256(keccak256("fuzz.payer"))));
    address internal constant DELEGATOR = address(uint160(uint256(keccak256("fuzz.delegator"))));

    uint256 internal constant BPS = 10_000;
    uint256 internal constant YEAR = 365 days;
    uint256 internal constant NODE_ID = 1;

    function setUp() public {
        _deployEconomy();
        VM.startPrank(TREASURY);
        token.transfer(OPERATOR, MIN_BOND);
        token.transfer(PAYER, 150_000_000 ether);
        token.transfer(DELEGATOR, 100_000_000 ether);
        VM.stopPrank();

        VM.prank(OPERATOR);
        token.approve(address(registry), MIN_BOND);
        VM.prank(OPERATOR);
        registry.register(address(uint160(uint256(keccak256("fuzz.signingKey")))), "ipfs://node", MIN_BOND);
        // Scenario ids 1, 2, 3: one per class, in the enum's order.
        for (uint256 c; c < 3; ++c) {
            VM.prank(DEVELOPER);
            scenarios.registerScenario(IScenarioRegistry.ScenarioClass(c), NODE_ID, "ipfs://scenario");
        }
    }

    /// @notice For any in-bounds share table and any amount, the four parts of a payment add up to the amount, each
    /// rounded-down part is exactly amount × bps / 10,000, the protocol part takes the rounding dust (at most 3 wei),
    /// and `pay` credits exactly those parts.
    function testFuzz_routerSplitPaysExactlyTheAmount(
        uint8 classSeed,
        uint256 amount,
        uint256 nodeBps,
        uint256 poolBps,
        uint256 protocolBps
    ) public {
        IScenarioRegistry.ScenarioClass scenarioClass = IScenarioRegistry.ScenarioClass(classSeed % 3);
        nodeBps = _bound(nodeBps, 0, router.MAX_NODE_BPS());
        poolBps = _bound(poolBps, 0, router.MAX_USER_POOL_BPS());
        uint256 room = BPS - router.MIN_DEVELOPER_BPS() - nodeBps - poolBps;
        protocolBps = _bound(protocolBps, 0, room < router.MAX_PROTOCOL_BPS() ? room : router.MAX_PROTOCOL_BPS());
        amount = _bound(amount, 1, 100_000_000 ether);
        router.setClassShares(
            scenarioClass,
            IRevenueRouter.ClassShares(uint16(nodeBps), uint16(poolBps), uint16(protocolBps))
        );

        (uint256 node, uint256 pool, uint256 protocol, uint256 developer) = router.previewSplit(scenarioClass, amount);
        _assertEq(node + pool + protocol + developer, amount, "parts add up to the amount");
        _assertEq(node, (amount * nodeBps) / BPS, "node part rounded down");
        _assertEq(pool, (amount * poolBps) / BPS, "user-pool part rounded down");
        _assertEq(developer, (amount * (BPS - nodeBps - poolBps - protocolBps)) / BPS, "developer part rounded down");
        uint256 exactProtocol = (amount * protocolBps) / BPS;
        _assertGe(protocol, exactProtocol, "protocol part >= its share");
        _assertLe(protocol - exactProtocol, 3, "protocol part takes at most 3 wei of dust");

        VM.prank(PAYER);
        token.approve(address(router), amount);
        VM.prank(PAYER);
        router.pay(uint256(scenarioClass) + 1, amount);
        _assertEq(router.claimable(OPERATOR), node, "operator credited the node part");
        _assertEq(router.claimable(DEVELOPER), developer, "developer credited the developer part");
        _assertEq(router.userPool(), pool, "user pool credited");
        _assertEq(router.protocolPool(), protocol, "protocol pool credited");
        _assertEq(router.totalClaimable(), node + developer, "totalClaimable == node + developer parts");
        _assertEq(token.balanceOf(address(router)), amount, "router holds the amount");
    }

    /// @notice For any reserve, stake, score and elapsed time, the yield accrued never exceeds the reserve funded:
    /// reserve + owed == funded, the delegator's claimable yield ≤ owed; when the reserve covers the period the
    /// delegator earns stake × APR × time (rounded down, within 1 wei), and when it does not, it earns the whole
    /// reserve less at most 3 wei of rounding. Claiming pays exactly the claimable yield.
    function testFuzz_stakingAccrualNeverExceedsFunding(
        uint256 reserve,
        uint256 stake,
        uint256 elapsed,
        uint256 score
    ) public {
        reserve = _bound(reserve, 0, 10_000_000 ether);
        stake = _bound(stake, 1, 50_000_000 ether);
        elapsed = _bound(elapsed, 1, 3 * YEAR);
        score = _bound(score, 0, 10_000);
        VM.prank(SCORE_KEEPER);
        staking.setScore(NODE_ID, score);
        if (reserve != 0) {
            VM.prank(PAYER);
            token.approve(address(staking), reserve);
            VM.prank(PAYER);
            staking.fundReserve(reserve);
        }
        VM.prank(DELEGATOR);
        token.approve(address(staking), stake);
        VM.prank(DELEGATOR);
        staking.delegate(NODE_ID, stake);

        VM.warp(block.timestamp + elapsed);
        (uint256 left, uint256 owed, , , ) = staking.reserveStatus();
        _assertEq(left + owed, reserve, "reserve left + yield owed == funded");
        uint256 claimable = staking.claimableYield(DELEGATOR, NODE_ID);
        _assertLe(claimable, owed, "claimable yield <= yield owed");

        uint256 apr = 800 + (400 * score) / 10_000;
        uint256 full = (stake * apr * elapsed) / (BPS * YEAR);
        uint256 required = (stake * apr * elapsed + BPS * YEAR - 1) / (BPS * YEAR);
        if (reserve >= required) {
            _assertLe(claimable, full, "funded: yield <= stake x APR x time");
            _assertGe(claimable + 1, full, "funded: yield >= stake x APR x time - 1 wei");
        } else {
            _assertLe(claimable, reserve, "underfunded: yield <= reserve");
            _assertGe(claimable + 3, reserve, "underfunded: the whole reserve accrues, less rounding");
        }

        if (claimable == 0) return;
        uint256 before = token.balanceOf(DELEGATOR);
        VM.prank(DELEGATOR);
        uint256 paid = staking.claim(NODE_ID);
        _assertEq(paid, claimable, "claim pays the claimable yield");
        _assertEq(token.balanceOf(DELEGATOR) - before, paid, "claim transfers what it reports");
        _assertGe(token.balanceOf(address(staking)), stake + reserve - paid, "staking still holds stake and reserve");
    }

    /// @notice The invariant campaign's Merkle builder produces proofs OpenZeppelin's `MerkleProof` accepts, for
    /// every leaf of trees of 1 to 4 leaves, and a proof does not verify another leaf.
    function testFuzz_merkleBuilderMatchesOpenZeppelin(
        bytes32[4] memory seeds,
        uint8 sizeSeed,
        uint8 indexSeed
    ) public pure {
        uint256 size = 1 + (sizeSeed % 4);
        bytes32[] memory leaves = new bytes32[](size);
        for (uint256 i; i < size; ++i) leaves[i] = keccak256(bytes.concat(keccak256(abi.encode(seeds[i], i))));
        bytes32 root = MerkleBuilder.root(leaves);
        uint256 index = indexSeed % size;
        bytes32[] memory proof = MerkleBuilder.proof(leaves, index);
        _assertTrue(MerkleProof.verify(proof, root, leaves[index]), "the proof of a leaf verifies");
        if (size > 1) {
            uint256 other = (index + 1) % size;
            _assertTrue(
                leaves[other] == leaves[index] || !MerkleProof.verify(proof, root, leaves[other]),
                "a proof does not verify another leaf"
            );
        }
    }
}
