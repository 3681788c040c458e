// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {EraToken} from "../../contracts/token/EraToken.sol";
import {NodeRegistry} from "../../contracts/staking/NodeRegistry.sol";
import {DelegatedStaking} from "../../contracts/staking/DelegatedStaking.sol";
import {ScenarioRegistry} from "../../contracts/scenario/ScenarioRegistry.sol";
import {EpochDistributor} from "../../contracts/distribution/EpochDistributor.sol";
import {RevenueRouter} from "../../contracts/revenue/RevenueRouter.sol";
import {EraTimelock} from "../../contracts/governance/EraTimelock.sol";
import {Governed} from "../../contracts/governance/Governed.sol";
import {INodeRegistry} from "../../contracts/interfaces/INodeRegistry.sol";
import {IDelegatedStaking} from "../../contracts/interfaces/IDelegatedStaking.sol";
import {IScenarioRegistry} from "../../contracts/interfaces/IScenarioRegistry.sol";
import {IEpochDistributor} from "../../contracts/interfaces/IEpochDistributor.sol";
import {IRevenueRouter} from "../../contracts/interfaces/IRevenueRouter.sol";
import {MerkleBuilder} from "../utils/MerkleBuilder.sol";
import {TimelockCaller} from "../utils/TimelockCaller.sol";

/// @title EconomyHandler
/// @notice The invariant fuzzer's only target. Each public function is one user-level action on the ERA economy
/// (registry, staking, scenarios, revenue router, epoch distributor, token, time), taken by one of a closed set of
/// actors with bounded random inputs. The handler keeps ghost accounting of every ERA flow, and checks each action's
/// result against its own model; a disagreement is recorded under the number of the DESIGN.md §5 invariant it breaks,
/// and the invariant test fails on it.
/// @dev Actions whose preconditions do not hold return early (no revert) so that the call budget is spent on state
/// changes; an action the contracts refuse for a reason the model does not predict simply reverts, which forge counts
/// in its metrics and which changes nothing.
// One ghost variable per modelled quantity: the model the invariants compare the contracts against.
// solhint-disable-next-line max-states-count
contract EconomyHandler is TimelockCaller {
    using Strings for uint256;
    using Strings for address;

    // ---------------------------------------------------------------------------------------------------------------
    // System under test, roles and actors
    // ---------------------------------------------------------------------------------------------------------------

    EraToken public immutable token;
    NodeRegistry public immutable registry;
    DelegatedStaking public immutable staking;
    ScenarioRegistry public immutable scenarios;
    EpochDistributor public immutable distributor;
    RevenueRouter public immutable router;

    address public immutable treasury;
    address public immutable slashRecipient;
    address public immutable scoreKeeper;
    address public immutable publisher;
    address public immutable guardian;

    uint256 public constant USER_COUNT = 3;
    uint256 public constant OPERATOR_COUNT = 4;
    uint256 public constant DEVELOPER_COUNT = 2;

    address[] public users;
    address[] public operators;
    address[] public developers;
    mapping(address account => uint256 privateKey) private _keyOf;

    /// @notice The wall clock of the campaign; every action runs at this time, `warp` moves it forward.
    uint256 public currentTime;
    uint256 private _nonce;

    // ---------------------------------------------------------------------------------------------------------------
    // Ghost accounting
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice Genesis supply plus every mint.
    uint256 public ghostMinted;
    /// @notice ERA sent straight to a contract with `transfer` (owed to nobody), per contract.
    mapping(address target => uint256) public ghostDonated;

    /// @notice Revenue paid into the router through `pay`/`payWithPermit`.
    uint256 public ghostRouterPaidIn;
    /// @notice Revenue paid out by router `claim`s.
    uint256 public ghostRouterClaimed;
    /// @notice Pools pushed out by `flushPools`.
    uint256 public ghostFlushedToReserve;
    uint256 public ghostFlushedToRewards;
    /// @notice Excess ERA taken back by governance with `recover`.
    uint256 public ghostRouterRecovered;

    /// @notice Everything that entered the staking reserve (direct funding and router flushes).
    uint256 public ghostReserveFunded;
    /// @notice Yield that left the owed-yield bucket: claims paid out plus claims re-delegated.
    uint256 public ghostYieldPaid;
    /// @notice Score last set per node (APR check).
    mapping(uint256 nodeId => uint256) public ghostScore;

    /// @notice Funding of the distributor per kind (0 subsidy, 1 user reward).
    mapping(uint256 kind => uint256) public ghostDistributorFunded;

    /// @notice A leaf of an epoch built by the handler.
    struct Leaf {
        address account;
        uint256 amount; // what the claim pays (base plus bonus for a subsidy)
        uint256 scenarioId;
        uint256 baseAmount;
        uint256 mau;
    }

    /// @notice The handler's own record of an epoch (independent of the distributor's storage).
    struct EpochModel {
        IEpochDistributor.EpochKind kind;
        uint256 budget;
        uint256 claimed;
        uint256 opensAt;
        uint256 claimDeadline;
        bool vetoed;
        bool swept;
    }

    EpochModel[] private _epochs;
    mapping(uint256 epochId => Leaf[]) private _leaves;
    mapping(uint256 epochId => bytes32[]) private _leafHashes;
    /// @notice Successful claims per leaf; invariant 3 requires ≤ 1.
    mapping(uint256 epochId => mapping(uint256 index => uint256)) public ghostClaimCount;

    /// @notice Model disagreements, per DESIGN.md §5 invariant number, with the first one described.
    /// @notice Serving-node removals that landed (each undone in the same action).
    uint256 public ghostServingRemovals;
    mapping(uint256 invariantNo => uint256) public violations;
    mapping(uint256 invariantNo => string) public firstViolation;

    // ---------------------------------------------------------------------------------------------------------------
    // Setup
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice Roles held by plain addresses the handler pranks as.
    struct Roles {
        EraTimelock timelock;
        address governor;
        address treasury;
        address slashRecipient;
        address scoreKeeper;
        address publisher;
        address guardian;
    }

    constructor(
        EraToken token_,
        NodeRegistry registry_,
        DelegatedStaking staking_,
        ScenarioRegistry scenarios_,
        EpochDistributor distributor_,
        RevenueRouter router_,
        Roles memory roles
    ) TimelockCaller(roles.timelock, roles.governor) {
        token = token_;
        registry = registry_;
        staking = staking_;
        scenarios = scenarios_;
        distributor = distributor_;
        router = router_;
        treasury = roles.treasury;
        slashRecipient = roles.slashRecipient;
        scoreKeeper = roles.scoreKeeper;
        publisher = roles.publisher;
        guardian = roles.guardian;
        currentTime = block.timestamp;
        ghostMinted = token_.totalSupply();

        for (uint256 i; i < USER_COUNT; ++i) users.push(_newActor("user", i, 1_000_000 ether));
        for (uint256 i; i < OPERATOR_COUNT; ++i) operators.push(_newActor("operator", i, 200_000 ether));
        for (uint256 i; i < DEVELOPER_COUNT; ++i) developers.push(_newActor("developer", i, 500_000 ether));

        // Two nodes and one scenario of each class to start with; operators 2 and 3 register during the campaign.
        for (uint256 i; i < 2; ++i) {
            uint256 bond = registry_.minBond();
            VM.prank(operators[i]);
            token_.approve(address(registry_), bond);
            VM.prank(operators[i]);
            registry_.register(_freshKey(), "ipfs://node", bond);
        }
        for (uint256 c; c < 3; ++c) {
            VM.prank(developers[0]);
            scenarios_.registerScenario(IScenarioRegistry.ScenarioClass(c), 1 + (c % 2), "ipfs://scenario");
        }
    }

    function _newActor(string memory role, uint256 i, uint256 funds) private returns (address account) {
        uint256 key = uint256(keccak256(abi.encode("era-invariants", role, i)));
        account = VM.addr(key);
        _keyOf[account] = key;
        VM.label(account, string.concat(role, i.toString()));
        VM.prank(treasury);
        token.transfer(account, funds);
    }

    function _freshKey() private returns (address) {
        return address(uint160(uint256(keccak256(abi.encode("signing-key", ++_nonce)))));
    }

    /// @dev Every action runs at the campaign's clock (forge also keeps warps between calls; this makes it explicit).
    modifier atCurrentTime() {
        VM.warp(currentTime);
        _;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Node registry
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice An operator without a node registers one, with a plain approval or a permit.
    function registerNode(uint256 operatorSeed, uint256 bondSeed, bool withPermit) external atCurrentTime {
        address operator = operators[operatorSeed % OPERATOR_COUNT];
        if (registry.nodeOfOperator(operator) != 0 || registry.paused()) return;
        uint256 minBond = registry.minBond();
        uint256 bond = _bound(bondSeed, minBond, 3 * minBond);
        if (token.balanceOf(operator) < bond) return;
        if (withPermit) {
            (uint8 v, bytes32 r, bytes32 s) = _permit(operator, address(registry), bond, currentTime + 1 hours);
            VM.prank(operator);
            registry.registerWithPermit(_freshKey(), "ipfs://node", bond, currentTime + 1 hours, v, r, s);
        } else {
            _approve(operator, address(registry), bond);
            VM.prank(operator);
            registry.register(_freshKey(), "ipfs://node", bond);
        }
    }

    /// @notice An operator adds to its bond (which re-activates an exiting node once back at the minimum).
    function topUpBond(uint256 operatorSeed, uint256 amountSeed) external atCurrentTime {
        address operator = operators[operatorSeed % OPERATOR_COUNT];
        uint256 nodeId = registry.nodeOfOperator(operator);
        if (nodeId == 0 || registry.paused()) return;
        uint256 amount = _amount(amountSeed, 20_000 ether);
        if (token.balanceOf(operator) < amount) return;
        _approve(operator, address(registry), amount);
        VM.prank(operator);
        registry.topUp(nodeId, amount);
    }

    /// @notice An operator moves part (keeping the minimum) or all of its bond into unbonding.
    function unbondBond(uint256 operatorSeed, uint256 amountSeed, bool all) external atCurrentTime {
        address operator = operators[operatorSeed % OPERATOR_COUNT];
        uint256 nodeId = registry.nodeOfOperator(operator);
        if (nodeId == 0) return;
        uint256 bond = registry.getNode(nodeId).bond;
        uint256 minBond = registry.minBond();
        if (bond == 0 || registry.getBondUnbondings(nodeId).length >= registry.MAX_PENDING_UNBONDINGS()) return;
        uint256 amount;
        if (all) amount = bond;
        else if (bond > minBond) amount = _bound(amountSeed, 1, bond - minBond);
        else return;
        VM.prank(operator);
        registry.unbond(nodeId, amount);
    }

    /// @notice An operator withdraws its matured bond; it must receive exactly the matured entries.
    function withdrawBond(uint256 operatorSeed) external atCurrentTime {
        address operator = operators[operatorSeed % OPERATOR_COUNT];
        uint256 nodeId = registry.nodeOfOperator(operator);
        if (nodeId == 0) return;
        (uint256 matured, uint256 count) = _maturedBond(nodeId);
        if (count == 0) return;
        uint256 before = token.balanceOf(operator);
        VM.prank(operator);
        try registry.withdrawBond(nodeId) returns (uint256 paid) {
            _check(1, paid == matured && token.balanceOf(operator) - before == matured, "withdrawBond pays matured");
        } catch (bytes memory reason) {
            _violate(2, string.concat("withdrawBond reverted for node ", nodeId.toString(), _hex(reason)));
        }
    }

    /// @notice An operator rotates its signing key.
    function rotateSigningKey(uint256 operatorSeed) external atCurrentTime {
        address operator = operators[operatorSeed % OPERATOR_COUNT];
        uint256 nodeId = registry.nodeOfOperator(operator);
        if (nodeId == 0) return;
        VM.prank(operator);
        registry.setSigningKey(nodeId, _freshKey());
    }

    /// @notice Governance slashes a node (a timelock proposal): a random amount, just under everything at stake, or
    /// just over the bond.
    function slash(uint256 nodeSeed, uint256 amountSeed, uint8 mode) external atCurrentTime {
        uint256 nodeId = _node(nodeSeed);
        INodeRegistry.NodeView memory node = registry.getNode(nodeId);
        IDelegatedStaking.NodePoolView memory pool = staking.nodePool(nodeId);
        uint256 bond = node.bond + node.unbondingBond;
        uint256 total = bond + pool.stake + pool.unbondingStake;
        uint256 amount;
        mode %= 4;
        if (mode == 0) amount = _bound(amountSeed, 1, 2 * total + 1);
        else if (mode == 1) amount = total > 3 ? total - (amountSeed % 4) : total + 1;
        else if (mode == 2) amount = bond + _bound(amountSeed, 1, 1_000);
        else amount = bond + _bound(amountSeed, 1, pool.stake + pool.unbondingStake + 1);
        uint256 before = token.balanceOf(slashRecipient);
        _govern(address(registry), abi.encodeCall(registry.slash, (nodeId, amount, slashRecipient, "fuzz")));
        // What the slash reports is what it sends to the recipient (checked by the Hardhat tests); the timelock drops
        // the return value.
        uint256 slashed = token.balanceOf(slashRecipient) - before;
        uint256 expected = amount < total ? amount : total;
        // The delegators' part rounds down (pro rata), so a partial slash may take a little less than asked.
        // A pool left as dust (under 1 wei per MAX_SHARES_PER_WEI shares) is taken whole: at most that dust more.
        uint256 dust = pool.shares / staking.MAX_SHARES_PER_WEI() + pool.unbondingShares / staking.MAX_SHARES_PER_WEI();
        _check(
            2,
            slashed <= total && slashed <= expected + dust,
            "slash takes no more than asked (+ dust) and at stake"
        );
    }

    /// @notice Anyone but the node registry calling `slashDelegations` directly is refused with
    /// `StakingOnlyRegistry(caller)`, whatever the node and amount.
    function strangerSlashDelegations(uint256 actorSeed, uint256 nodeSeed, uint256 amount) external atCurrentTime {
        address caller = _anyone(actorSeed);
        uint256 nodeId = _node(nodeSeed);
        VM.prank(caller);
        try staking.slashDelegations(nodeId, amount, caller) {
            _violate(2, "slashDelegations by a stranger accepted");
        } catch (bytes memory reason) {
            _checkRevert(
                2,
                reason,
                abi.encodeWithSelector(IDelegatedStaking.StakingOnlyRegistry.selector, caller),
                "slashDelegations by a stranger"
            );
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Delegated staking
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice A user delegates to a node, with a plain approval or a permit.
    function delegate(uint256 userSeed, uint256 nodeSeed, uint256 amountSeed, bool withPermit) external atCurrentTime {
        address user = users[userSeed % USER_COUNT];
        uint256 nodeId = _node(nodeSeed);
        if (staking.paused() || !_takesStake(nodeId)) return;
        uint256 amount = _amount(amountSeed, 50_000 ether);
        if (token.balanceOf(user) < amount) return;
        if (withPermit) {
            (uint8 v, bytes32 r, bytes32 s) = _permit(user, address(staking), amount, currentTime + 1 hours);
            VM.prank(user);
            staking.delegateWithPermit(nodeId, amount, currentTime + 1 hours, v, r, s);
        } else {
            _approve(user, address(staking), amount);
            VM.prank(user);
            staking.delegate(nodeId, amount);
        }
    }

    /// @notice Someone (a user or a developer) pays for a delegation owned by a user.
    function delegateFor(
        uint256 payerSeed,
        uint256 userSeed,
        uint256 nodeSeed,
        uint256 amountSeed
    ) external atCurrentTime {
        address payer = _payer(payerSeed);
        address user = users[userSeed % USER_COUNT];
        uint256 nodeId = _node(nodeSeed);
        if (staking.paused() || !_takesStake(nodeId)) return;
        uint256 amount = _amount(amountSeed, 50_000 ether);
        if (token.balanceOf(payer) < amount) return;
        _approve(payer, address(staking), amount);
        VM.prank(payer);
        staking.delegateFor(user, nodeId, amount);
    }

    /// @notice A user starts unbonding part or all of its stake with a node. Undelegating everything must always
    /// work (invariant 2: a delegator can always exit).
    function undelegate(uint256 positionSeed, uint256 amountSeed, bool all) external atCurrentTime {
        (address user, uint256 nodeId) = _position(positionSeed, HAS_SHARES);
        if (staking.sharesOf(user, nodeId) == 0) return;
        if (staking.unbondingsOf(user, nodeId).length >= staking.MAX_UNBONDING_ENTRIES()) return;
        if (all) {
            _undelegateAll(user, nodeId);
        } else {
            uint256 stake = staking.stakeOf(user, nodeId);
            if (stake == 0) return;
            VM.prank(user);
            staking.undelegate(nodeId, _bound(amountSeed, 1, stake));
        }
    }

    /// @notice A user withdraws its matured unbonding entries with a node; it must work and pay at least their value.
    function withdrawStake(uint256 positionSeed) external atCurrentTime {
        (address user, uint256 nodeId) = _position(positionSeed, HAS_MATURED_ENTRY);
        _withdrawStake(user, nodeId);
    }

    /// @notice A user claims its yield; the amount must equal what `claimableYield` showed.
    function claimYield(uint256 positionSeed) external atCurrentTime {
        (address user, uint256 nodeId) = _position(positionSeed, HAS_YIELD);
        _claimYield(user, nodeId);
    }

    /// @notice A user claims its yield from one node and delegates it to another in one call.
    function claimAndRedelegate(uint256 positionSeed, uint256 toSeed) external atCurrentTime {
        (address user, uint256 fromId) = _position(positionSeed, HAS_YIELD);
        uint256 toId = _node(toSeed);
        uint256 claimable = staking.claimableYield(user, fromId);
        if (claimable == 0 || staking.paused() || !_takesStake(toId)) return;
        uint256 stakeBefore = staking.nodePool(toId).stake;
        VM.prank(user);
        uint256 amount = staking.claimAndRedelegate(fromId, toId);
        ghostYieldPaid += amount;
        _check(2, amount == claimable, "claimAndRedelegate moves the claimable yield");
        _check(1, staking.nodePool(toId).stake == stakeBefore + amount, "claimAndRedelegate books the yield as stake");
    }

    /// @notice Anyone funds the yield reserve.
    function fundReserve(uint256 funderSeed, uint256 amountSeed) external atCurrentTime {
        address funder = _funder(funderSeed);
        uint256 amount = _amount(amountSeed, 20_000 ether);
        if (token.balanceOf(funder) < amount) return;
        _approve(funder, address(staking), amount);
        VM.prank(funder);
        staking.fundReserve(amount);
        ghostReserveFunded += amount;
    }

    /// @notice The score keeper sets a node's score (an out-of-range score must be refused).
    function setScore(uint256 nodeSeed, uint256 scoreSeed) external atCurrentTime {
        uint256 nodeId = _node(nodeSeed);
        uint256 score = _bound(scoreSeed, 0, 10_500);
        VM.prank(scoreKeeper);
        try staking.setScore(nodeId, score) {
            _check(7, score <= 10_000, "setScore accepts only scores <= 10,000");
            ghostScore[nodeId] = score;
        } catch (bytes memory reason) {
            _checkRevert(
                7,
                reason,
                score > 10_000
                    ? abi.encodeWithSelector(IDelegatedStaking.StakingScoreOutOfRange.selector, score)
                    : bytes(""),
                "setScore"
            );
        }
    }

    /// @notice Anyone advances the staking clock.
    function poke() external atCurrentTime {
        staking.poke();
    }

    /// @notice Anyone pushes a node's activity (or an unknown node's, one past the last) to staking: staking's copy
    /// then equals the registry's `isActive`, and the call returns it.
    function syncActivity(uint256 nodeSeed, uint256 callerSeed) external atCurrentTime {
        uint256 nodeId = 1 + (nodeSeed % (registry.nodeCount() + 1));
        VM.prank(_anyone(callerSeed));
        bool active = registry.syncActivity(nodeId);
        _check(2, active == registry.isActive(nodeId), "syncActivity returns isActive");
        _check(2, staking.nodeActive(nodeId) == active, "staking's copy of the activity == isActive after a sync");
    }

    /// @notice Pushes every node's activity to staking (what an operator does after a minimum-bond change).
    function syncAllActivity() external {
        uint256 nodeCount = registry.nodeCount();
        for (uint256 n = 1; n <= nodeCount; ++n) registry.syncActivity(n);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Scenarios and revenue
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice A developer registers a scenario on an active node.
    function registerScenario(uint256 developerSeed, uint8 classSeed, uint256 nodeSeed) external atCurrentTime {
        uint256 nodeId = _node(nodeSeed);
        if (scenarios.paused() || !registry.isActive(nodeId)) return;
        VM.prank(developers[developerSeed % DEVELOPER_COUNT]);
        scenarios.registerScenario(IScenarioRegistry.ScenarioClass(classSeed % 3), nodeId, "ipfs://scenario");
    }

    /// @notice A scenario's owner moves it to another active node.
    function moveScenario(uint256 scenarioSeed, uint256 nodeSeed) external atCurrentTime {
        uint256 scenarioId = _scenario(scenarioSeed);
        uint256 nodeId = _node(nodeSeed);
        if (!registry.isActive(nodeId)) return;
        VM.prank(scenarios.getScenario(scenarioId).owner);
        scenarios.setNode(scenarioId, nodeId);
    }

    /// @notice A node's operator changes its metadata URI (the registry then shows it), or another actor tries:
    /// refused with `NodeRegistryNotOperator(nodeId, caller)`.
    function setMetadataURI(uint256 nodeSeed, uint256 callerSeed, bool asStranger) external atCurrentTime {
        uint256 nodeId = _node(nodeSeed);
        address operator = registry.operatorOf(nodeId);
        address caller = asStranger ? _anyone(callerSeed) : operator;
        string memory uri = string.concat("ipfs://node/", callerSeed.toString());
        bytes memory expected;
        if (caller != operator) {
            expected = abi.encodeWithSelector(INodeRegistry.NodeRegistryNotOperator.selector, nodeId, caller);
        }
        VM.prank(caller);
        try registry.setMetadataURI(nodeId, uri) {
            _check(0, expected.length == 0, "setMetadataURI accepted from another than the operator");
            bytes32 shown = keccak256(bytes(registry.getNode(nodeId).metadataURI));
            _check(0, shown == keccak256(bytes(uri)), "setMetadataURI took effect");
        } catch (bytes memory reason) {
            _checkRevert(0, reason, expected, "setMetadataURI");
        }
    }

    /// @notice A scenario's owner allows or disallows a mode operator (`isModeOperator` then says so), or another
    /// actor tries: refused with `ScenarioNotOwner(scenarioId, caller)`.
    function setModeOperator(
        uint256 scenarioSeed,
        uint256 actorSeed,
        bool allowed,
        bool asStranger
    ) external atCurrentTime {
        uint256 scenarioId = _scenario(scenarioSeed);
        address owner = scenarios.getScenario(scenarioId).owner;
        address caller = asStranger ? _anyone(actorSeed >> 8) : owner;
        address modeOperator = _anyone(actorSeed);
        bytes memory refusal;
        if (caller != owner) {
            refusal = abi.encodeWithSelector(IScenarioRegistry.ScenarioNotOwner.selector, scenarioId, caller);
        }
        VM.prank(caller);
        try scenarios.setModeOperator(scenarioId, modeOperator, allowed) {
            _check(0, refusal.length == 0, "setModeOperator accepted from another than the owner");
            _check(0, scenarios.isModeOperator(scenarioId, modeOperator) == allowed, "setModeOperator took effect");
        } catch (bytes memory reason) {
            _checkRevert(0, reason, refusal, "setModeOperator");
        }
    }

    /// @notice A scenario's owner (or, refused with `ScenarioNotOwner`, another actor) removes a node from its serving
    /// set: refused with the exact error for a node not serving, the revenue node, or a quorum that would no longer
    /// fit. A removal that lands is checked (the node no longer serves, the set is one shorter) and undone in the same
    /// action with `addServingNode`, so that the other handlers' nodes keep serving.
    function removeServingNode(
        uint256 scenarioSeed,
        uint256 nodeSeed,
        uint256 actorSeed,
        bool asStranger
    ) external atCurrentTime {
        uint256 scenarioId = _scenario(scenarioSeed);
        IScenarioRegistry.Scenario memory sc = scenarios.getScenario(scenarioId);
        uint256 nodeId = _node(nodeSeed);
        // Only an active node can be added back.
        if (!registry.isActive(nodeId)) return;
        address caller = asStranger ? _anyone(actorSeed) : sc.owner;
        bytes memory expected = _removalRefusal(scenarioId, sc, nodeId, caller);
        uint256 count = scenarios.servingNodes(scenarioId).length;
        VM.prank(caller);
        try scenarios.removeServingNode(scenarioId, nodeId) {
            _check(0, expected.length == 0, "removeServingNode accepted against the model");
            _check(0, !scenarios.isServing(scenarioId, nodeId), "removed node no longer serves");
            _check(0, scenarios.servingNodes(scenarioId).length == count - 1, "serving set one shorter");
            VM.prank(sc.owner);
            scenarios.addServingNode(scenarioId, nodeId);
            _check(0, scenarios.isServing(scenarioId, nodeId), "node serves again");
            ++ghostServingRemovals;
        } catch (bytes memory reason) {
            _checkRevert(0, reason, expected, "removeServingNode");
        }
    }

    function _removalRefusal(
        uint256 scenarioId,
        IScenarioRegistry.Scenario memory sc,
        uint256 nodeId,
        address caller
    ) private view returns (bytes memory) {
        if (caller != sc.owner) {
            return abi.encodeWithSelector(IScenarioRegistry.ScenarioNotOwner.selector, scenarioId, caller);
        }
        if (!scenarios.isServing(scenarioId, nodeId)) {
            return
                abi.encodeWithSelector(IScenarioRegistry.ScenarioServingUnchanged.selector, scenarioId, nodeId, false);
        }
        if (sc.nodeId == nodeId) {
            return
                abi.encodeWithSelector(IScenarioRegistry.ScenarioCannotRemoveRevenueNode.selector, scenarioId, nodeId);
        }
        uint256 remaining = sc.servingCount - 1;
        if (sc.quorum > remaining) {
            return
                abi.encodeWithSelector(IScenarioRegistry.ScenarioBadQuorum.selector, scenarioId, sc.quorum, remaining);
        }
        return "";
    }

    /// @notice A scenario's owner hands it to another developer or a user (its developer share follows).
    function transferScenario(uint256 scenarioSeed, uint256 toSeed) external atCurrentTime {
        uint256 scenarioId = _scenario(scenarioSeed);
        VM.prank(scenarios.getScenario(scenarioId).owner);
        scenarios.transferScenarioOwnership(scenarioId, _payer(toSeed));
    }

    /// @notice A user or developer pays scenario revenue; the four parts must add up to the amount exactly and land
    /// where `previewSplit` says (invariant 4).
    function payRevenue(
        uint256 payerSeed,
        uint256 scenarioSeed,
        uint256 amountSeed,
        bool withPermit
    ) external atCurrentTime {
        address payer = _payer(payerSeed);
        uint256 scenarioId = _scenario(scenarioSeed);
        uint256 amount = _amount(amountSeed, 100_000 ether);
        if (router.paused() || token.balanceOf(payer) < amount) return;
        (address developer, IScenarioRegistry.ScenarioClass scenarioClass, uint256 nodeId) = scenarios.routingOf(
            scenarioId
        );
        address operator = registry.operatorOf(nodeId);
        // [node, user pool, protocol, developer]
        uint256[4] memory parts;
        (parts[0], parts[1], parts[2], parts[3]) = router.previewSplit(scenarioClass, amount);
        uint256[4] memory before = _routerBooks(operator, developer);
        _pay(payer, scenarioId, amount, withPermit);
        ghostRouterPaidIn += amount;
        uint256[4] memory later = _routerBooks(operator, developer);
        _check(4, parts[0] + parts[1] + parts[2] + parts[3] == amount, "split parts add up to the amount");
        // Operators, developers and users are disjoint sets, so the node and developer balances move separately.
        _check(4, later[0] - before[0] == parts[0], "node part credited to the operator");
        _check(4, later[1] - before[1] == parts[3], "developer part credited to the owner");
        _check(4, later[2] - before[2] == parts[1], "user-pool part credited");
        _check(4, later[3] - before[3] == parts[2], "protocol part credited");
    }

    function _pay(address payer, uint256 scenarioId, uint256 amount, bool withPermit) private {
        if (withPermit) {
            (uint8 v, bytes32 r, bytes32 s) = _permit(payer, address(router), amount, currentTime + 1 hours);
            VM.prank(payer);
            router.payWithPermit(scenarioId, amount, currentTime + 1 hours, v, r, s);
        } else {
            _approve(payer, address(router), amount);
            VM.prank(payer);
            router.pay(scenarioId, amount);
        }
    }

    /// @dev [operator's claimable, developer's claimable, user pool, protocol pool].
    function _routerBooks(address operator, address developer) private view returns (uint256[4] memory) {
        return [router.claimable(operator), router.claimable(developer), router.userPool(), router.protocolPool()];
    }

    /// @notice An operator, developer or user claims its router balance to any actor.
    function claimRevenue(uint256 accountSeed, uint256 toSeed) external atCurrentTime {
        address account = _anyone(accountSeed);
        address to = _anyone(toSeed);
        uint256 owed = router.claimable(account);
        if (owed == 0) return;
        uint256 before = token.balanceOf(to);
        VM.prank(account);
        uint256 paid = router.claim(to);
        ghostRouterClaimed += paid;
        _check(4, paid == owed && token.balanceOf(to) - before == owed, "router claim pays the claimable balance");
        _check(4, router.claimable(account) == 0, "router claim empties the balance");
    }

    /// @notice Anyone pushes the router's pools into the staking reserve and the distributor's reward pool.
    function flushPools() external atCurrentTime {
        uint256 toReserve = router.protocolPool();
        uint256 toRewards = router.userPool();
        if (toReserve == 0 && toRewards == 0) return;
        (uint256 reserveBefore, , , , ) = staking.reserveStatus();
        uint256 rewardsBefore = distributor.available(IEpochDistributor.EpochKind.UserReward);
        router.flushPools();
        ghostFlushedToReserve += toReserve;
        ghostFlushedToRewards += toRewards;
        ghostReserveFunded += toReserve;
        ghostDistributorFunded[1] += toRewards;
        (uint256 reserveAfter, , , , ) = staking.reserveStatus();
        _check(4, reserveAfter == reserveBefore + toReserve, "flush funds the staking reserve");
        _check(
            4,
            distributor.available(IEpochDistributor.EpochKind.UserReward) == rewardsBefore + toRewards,
            "flush funds the user-reward pool"
        );
    }

    /// @notice Governance changes a class's split, always within the router's bounds.
    function setClassShares(
        uint8 classSeed,
        uint256 nodeSeed,
        uint256 poolSeed,
        uint256 protocolSeed
    ) external atCurrentTime {
        uint256 nodeBps = _bound(nodeSeed, 0, 5_000);
        uint256 poolBps = _bound(poolSeed, 0, 2_500);
        uint256 protocolBps = _bound(
            protocolSeed,
            0,
            8_000 - nodeBps - poolBps < 2_500 ? 8_000 - nodeBps - poolBps : 2_500
        );
        _govern(
            address(router),
            abi.encodeCall(
                router.setClassShares,
                (
                    IScenarioRegistry.ScenarioClass(classSeed % 3),
                    IRevenueRouter.ClassShares(uint16(nodeBps), uint16(poolBps), uint16(protocolBps))
                )
            )
        );
    }

    /// @notice Governance takes back ERA sent to the router by mistake (only the excess over what it owes).
    function recoverRouterExcess(uint256 amountSeed) external atCurrentTime {
        uint256 owed = router.totalClaimable() + router.userPool() + router.protocolPool();
        uint256 balance = token.balanceOf(address(router));
        if (balance <= owed) return;
        uint256 amount = _bound(amountSeed, 1, balance - owed);
        _govern(address(router), abi.encodeCall(router.recover, (IERC20(address(token)), treasury, amount)));
        ghostRouterRecovered += amount;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Epoch distributor
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice Anyone funds developer subsidies or user rewards.
    function fundDistributor(uint256 funderSeed, uint256 amountSeed, bool rewards) external atCurrentTime {
        address funder = _funder(funderSeed);
        uint256 amount = _amount(amountSeed, 50_000 ether);
        if (token.balanceOf(funder) < amount) return;
        if (!rewards && distributor.paused()) return;
        _fundDistributor(funder, amount, rewards);
    }

    /// @notice The publisher proposes an epoch of 2–4 leaves, with a budget equal to, below or above their total.
    function proposeEpoch(uint256 seed, bool rewards) external atCurrentTime {
        // A subsidy budget above the pool is topped up first, which the pause of inflows forbids.
        if (!rewards && distributor.paused()) return;
        uint256 epochId = distributor.epochCount();
        uint256 count = 2 + (seed % 3);
        IEpochDistributor.EpochKind kind =
            rewards ? IEpochDistributor.EpochKind.UserReward : IEpochDistributor.EpochKind.DeveloperSubsidy;
        uint256 total;
        bytes32[] memory hashes = new bytes32[](count);
        for (uint256 i; i < count; ++i) {
            Leaf memory leaf = _makeLeaf(uint256(keccak256(abi.encode(seed, i))), rewards);
            hashes[i] = rewards ? _rewardLeaf(epochId, i, leaf) : _subsidyLeaf(epochId, i, leaf);
            _leaves[epochId].push(leaf);
            total += leaf.amount;
        }
        uint256 budget = _budget(total, seed >> 64);
        uint256 free = distributor.available(kind);
        if (budget > free) _fundDistributor(treasury, budget - free, rewards);
        bytes32 root = MerkleBuilder.root(hashes);
        VM.prank(publisher);
        uint256 id = distributor.proposeEpoch(kind, root, budget, "ipfs://epoch");
        _check(3, id == epochId, "epoch ids are sequential");
        _leafHashes[epochId] = hashes;
        uint256 opensAt = currentTime + distributor.disputeWindow();
        _epochs.push(
            EpochModel({
                kind: kind,
                budget: budget,
                claimed: 0,
                opensAt: opensAt,
                claimDeadline: opensAt + distributor.claimPeriod(),
                vetoed: false,
                swept: false
            })
        );
    }

    /// @notice Anyone claims a leaf for its account (user reward or developer subsidy, by the epoch's kind). The
    /// outcome must be exactly what the handler's model predicts, including the custom error of a refused claim.
    /// With `claimable`, the first leaf from a random starting point that the model says must pay is taken.
    function claimLeaf(uint256 epochSeed, uint256 leafSeed, bool claimable) external atCurrentTime {
        if (_epochs.length == 0) return;
        uint256 epochId = epochSeed % _epochs.length;
        uint256 index = leafSeed % _leaves[epochId].length;
        if (claimable) (epochId, index) = _claimableLeaf(epochId, index);
        _claim(epochId, index);
    }

    /// @notice Claims the same leaf twice in a row: the second claim must be refused with `DistributorAlreadyClaimed`.
    function claimLeafTwice(uint256 epochSeed, uint256 leafSeed) external atCurrentTime {
        if (_epochs.length == 0) return;
        uint256 epochId = epochSeed % _epochs.length;
        uint256 index = leafSeed % _leaves[epochId].length;
        _claim(epochId, index);
        _claim(epochId, index);
    }

    /// @notice A user claims its reward leaf and delegates it to a node in one call.
    function claimRewardAndDelegate(uint256 epochSeed, uint256 leafSeed, uint256 nodeSeed) external atCurrentTime {
        if (_epochs.length == 0) return;
        uint256 epochId = epochSeed % _epochs.length;
        if (_epochs[epochId].kind != IEpochDistributor.EpochKind.UserReward) return;
        uint256 index = leafSeed % _leaves[epochId].length;
        Leaf memory leaf = _leaves[epochId][index];
        uint256 nodeId = _node(nodeSeed);
        bytes memory expected = _expectedClaimError(epochId, index);
        uint256 sharesBefore = staking.sharesOf(leaf.account, nodeId);
        bytes32[] memory proof = MerkleBuilder.proof(_leafHashes[epochId], index);
        VM.prank(leaf.account);
        try distributor.claimRewardAndDelegate(epochId, index, leaf.amount, proof, nodeId) {
            _check(3, expected.length == 0, _claimText("claimRewardAndDelegate accepted", epochId, index));
            _recordClaim(epochId, index);
            _check(1, staking.sharesOf(leaf.account, nodeId) > sharesBefore, "claimRewardAndDelegate delegates");
        } catch (bytes memory reason) {
            // A claim the model accepts may still fail in staking (inactive or wiped-out node, paused distributor).
            if (expected.length != 0 && !distributor.paused()) {
                _checkRevert(3, reason, expected, "claimRewardAndDelegate");
            }
        }
    }

    /// @notice Tries to claim a leaf with a forged amount or for another epoch with a valid proof: always refused.
    function claimForged(uint256 epochSeed, uint256 leafSeed, uint256 delta, bool otherEpoch) external atCurrentTime {
        if (_epochs.length == 0) return;
        uint256 epochId = epochSeed % _epochs.length;
        uint256 index = leafSeed % _leaves[epochId].length;
        Leaf memory leaf = _leaves[epochId][index];
        bytes32[] memory proof = MerkleBuilder.proof(_leafHashes[epochId], index);
        uint256 target = otherEpoch ? (epochId + 1 + (delta % _epochs.length)) % (_epochs.length + 1) : epochId;
        uint256 amount = otherEpoch ? leaf.amount : leaf.amount + _bound(delta, 1, 1_000 ether);
        if (target == epochId && otherEpoch) return;
        bool accepted;
        if (_epochs[epochId].kind == IEpochDistributor.EpochKind.UserReward) {
            try distributor.claimReward(target, index, leaf.account, amount, proof) {
                accepted = true;
            } catch {
                accepted = false;
            }
        } else {
            uint256 base = otherEpoch ? leaf.baseAmount : leaf.baseAmount + _bound(delta, 1, 1_000 ether);
            try distributor.claimSubsidy(target, index, leaf.account, leaf.scenarioId, base, leaf.mau, proof) {
                accepted = true;
            } catch {
                accepted = false;
            }
        }
        _check(3, !accepted, _claimText("forged claim accepted", epochId, index));
    }

    /// @notice Anyone sweeps an expired epoch's remainder back to its pool.
    function sweep(uint256 epochSeed) external atCurrentTime {
        if (_epochs.length == 0) return;
        uint256 epochId = epochSeed % _epochs.length;
        EpochModel storage model = _epochs[epochId];
        bool sweepable = !model.vetoed && !model.swept && currentTime > model.claimDeadline;
        try distributor.sweep(epochId) returns (uint256 amount) {
            _check(3, sweepable, _claimText("sweep accepted", epochId, 0));
            _check(3, amount == model.budget - model.claimed, "sweep returns the unclaimed budget");
            model.swept = true;
        } catch (bytes memory reason) {
            _checkRevert(
                3,
                reason,
                sweepable
                    ? bytes("")
                    : abi.encodeWithSelector(IEpochDistributor.DistributorNotSweepable.selector, epochId),
                "sweep"
            );
        }
    }

    /// @notice The guardian vetoes an epoch (possible only before it opens).
    function veto(uint256 epochSeed) external atCurrentTime {
        if (_epochs.length == 0) return;
        uint256 epochId = epochSeed % _epochs.length;
        EpochModel storage model = _epochs[epochId];
        bool vetoable = !model.vetoed && currentTime < model.opensAt;
        VM.prank(guardian);
        try distributor.vetoEpoch(epochId, "fuzz") {
            _check(3, vetoable, _claimText("veto accepted", epochId, 0));
            model.vetoed = true;
        } catch (bytes memory reason) {
            _checkRevert(
                3,
                reason,
                vetoable
                    ? bytes("")
                    : abi.encodeWithSelector(IEpochDistributor.DistributorVetoClosed.selector, epochId),
                "veto"
            );
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Token, governance, time
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice Governance (the timelock holds `MINTER_ROLE`) mints new ERA to an actor, within the cap.
    function mint(uint256 accountSeed, uint256 amountSeed) external atCurrentTime {
        uint256 room = token.cap() - token.totalSupply();
        if (room == 0) return;
        uint256 amount = _bound(amountSeed, 1, room < 1_000_000 ether ? room : 1_000_000 ether);
        _govern(address(token), abi.encodeCall(token.mint, (_anyone(accountSeed), amount)));
        ghostMinted += amount;
    }

    /// @notice An actor sends ERA straight to one of the contracts with `transfer` (a mistake: owed to nobody).
    function donate(uint256 accountSeed, uint8 targetSeed, uint256 amountSeed) external atCurrentTime {
        address from = _anyone(accountSeed);
        address[4] memory targets = [address(registry), address(staking), address(distributor), address(router)];
        address target = targets[targetSeed % 4];
        uint256 amount = _amount(amountSeed, 1_000 ether);
        if (token.balanceOf(from) < amount) return;
        VM.prank(from);
        token.transfer(target, amount);
        ghostDonated[target] += amount;
    }

    /// @notice The guardian pauses (one time in eight) or unpauses one of the governed contracts. Exits, claims and
    /// withdrawals keep working while paused.
    function setPaused(uint8 contractSeed, uint8 mode) external atCurrentTime {
        Governed[5] memory governed = [
            Governed(address(registry)),
            Governed(address(staking)),
            Governed(address(scenarios)),
            Governed(address(distributor)),
            Governed(address(router))
        ];
        Governed target = governed[contractSeed % 5];
        bool pause = mode % 8 == 0;
        if (target.paused() == pause) return;
        VM.prank(guardian);
        if (pause) target.pause();
        else target.unpause();
    }

    /// @notice Time passes: an hour, six hours, a day, past a dispute window, three days, past a staking or a bond
    /// unbonding period, or a random stretch of up to five days; one time in 32, past a whole claim period.
    function warp(uint256 seed) external {
        // Hashed, so that the fuzzer's favourite inputs (0, 1, type(uint256).max …) do not all pick the same jump.
        seed = uint256(keccak256(abi.encode(seed)));
        uint256[8] memory jumps = [uint256(1 hours), 6 hours, 1 days, 2 days + 1, 3 days, 7 days + 1, 14 days + 1, 0];
        uint256 jump = seed % 32 == 31 ? 90 days + 1 : jumps[seed % 8];
        if (jump == 0) jump = _bound(seed >> 8, 1, 5 days);
        currentTime += jump;
        VM.warp(currentTime);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Governance path and shared clock (used by the other handlers of the suite campaign; not fuzz targets)
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice Schedules `data` on `target` through the timelock, lets the delay pass and executes it.
    function govern(address target, bytes calldata data) external {
        _govern(target, data);
    }

    /// @notice Moves the campaign's clock forward by `seconds_`.
    function advance(uint256 seconds_) external {
        currentTime += seconds_;
        VM.warp(currentTime);
    }

    /// @notice Records a score pushed to staking by another path than `setScore` (the hub's `syncScore`).
    function noteScore(uint256 nodeId, uint256 score) external {
        ghostScore[nodeId] = score;
    }

    /// @notice Records ERA that entered the staking reserve by another path than `fundReserve`/`flushPools` (the
    /// rest of a fraud slash, after the challenger's bounty).
    function noteReserveFunded(uint256 amount) external {
        ghostReserveFunded += amount;
    }

    /// @notice The private key of an actor (users sign settlements and actions in the execution layer too).
    function keyOf(address account) external view returns (uint256) {
        return _keyOf[account];
    }

    /// @dev The governor proposes, the delay passes on the campaign's clock, anyone executes. A call the target
    /// refuses reverts `execute` with the target's own error (the timelock bubbles it up).
    function _govern(address target, bytes memory data) private {
        bytes32 salt = keccak256(abi.encode("govern", ++_nonce));
        currentTime += _schedule(target, data, salt);
        VM.warp(currentTime);
        timelock.execute(target, 0, data, bytes32(0), salt);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The exit drill (run by the test's afterInvariant; not a fuzz target)
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice Raised when an exit that must always work fails.
    error ExitBlocked(string step, address account, uint256 nodeId, bytes reason);

    /// @notice Everyone leaves: every delegator withdraws, undelegates everything, waits out the unbonding period,
    /// withdraws again and claims its yield; every operator unbonds and withdraws its bond; every router balance is
    /// claimed. Every step must succeed, each delegator must get back at least the value its position showed (less
    /// rounding), and the staking contract must still hold its reserve and the yield it owes.
    function exitEveryone() external {
        currentTime += staking.MAX_UNBONDING_PERIOD() + 1;
        VM.warp(currentTime);
        uint256 nodeCount = registry.nodeCount();
        for (uint256 u; u < USER_COUNT; ++u) {
            address user = users[u];
            uint256 shown;
            uint256 received = token.balanceOf(user);
            for (uint256 n = 1; n <= nodeCount; ++n) shown += exitValue(user, n);
            for (uint256 n = 1; n <= nodeCount; ++n) _exitNode(user, n, false);
            currentTime += staking.MAX_UNBONDING_PERIOD() + 1;
            VM.warp(currentTime);
            for (uint256 n = 1; n <= nodeCount; ++n) _exitNode(user, n, true);
            received = token.balanceOf(user) - received;
            // Each undelegation into a slashed unbonding pool may round its shares down by about one share.
            _assertGe(received + 2 * nodeCount, shown, "a delegator's exit returns its position's value");
        }
        for (uint256 o; o < OPERATOR_COUNT; ++o) _exitOperator(operators[o]);
        for (uint256 a; a < USER_COUNT + OPERATOR_COUNT + DEVELOPER_COUNT; ++a) {
            address account = _anyone(a);
            if (router.claimable(account) == 0) continue;
            VM.prank(account);
            try router.claim(account) returns (uint256 paid) {
                ghostRouterClaimed += paid;
            } catch (bytes memory reason) {
                revert ExitBlocked("router.claim", account, 0, reason);
            }
        }
        (uint256 reserve, uint256 yieldOwed, , , ) = staking.reserveStatus();
        _assertGe(token.balanceOf(address(staking)), reserve + yieldOwed, "staking holds reserve and owed yield");
    }

    /// @notice What `user` would get out of `nodeId` now: active stake plus every unbonding entry plus nothing else.
    function exitValue(address user, uint256 nodeId) public view returns (uint256 value) {
        value = staking.stakeOf(user, nodeId);
        uint256 entries = staking.unbondingsOf(user, nodeId).length;
        for (uint256 i; i < entries; ++i) value += staking.unbondingValue(user, nodeId, i);
    }

    function _exitNode(address user, uint256 nodeId, bool second) private {
        if (staking.unbondingsOf(user, nodeId).length != 0) {
            VM.prank(user);
            // An exit that must succeed: nothing to do on success, the catch reverts naming the blocked exit.
            // solhint-disable-next-line no-empty-blocks
            try staking.withdraw(nodeId) {} catch (bytes memory reason) {
                revert ExitBlocked(second ? "withdraw after undelegate" : "withdraw", user, nodeId, reason);
            }
        }
        if (!second && staking.sharesOf(user, nodeId) != 0) {
            VM.prank(user);
            // An exit that must succeed: nothing to do on success, the catch reverts naming the blocked exit.
            // solhint-disable-next-line no-empty-blocks
            try staking.undelegate(nodeId, type(uint256).max) {} catch (bytes memory reason) {
                revert ExitBlocked("undelegate(max)", user, nodeId, reason);
            }
        }
        if (second && staking.claimableYield(user, nodeId) != 0) {
            VM.prank(user);
            try staking.claim(nodeId) returns (uint256 paid) {
                ghostYieldPaid += paid;
            } catch (bytes memory reason) {
                revert ExitBlocked("claim", user, nodeId, reason);
            }
        }
    }

    function _exitOperator(address operator) private {
        uint256 nodeId = registry.nodeOfOperator(operator);
        if (nodeId == 0) return;
        uint256 before = token.balanceOf(operator);
        INodeRegistry.NodeView memory node = registry.getNode(nodeId);
        uint256 owed = node.bond + node.unbondingBond;
        if (registry.getBondUnbondings(nodeId).length != 0) {
            VM.prank(operator);
            // An exit that must succeed: nothing to do on success, the catch reverts naming the blocked exit.
            // solhint-disable-next-line no-empty-blocks
            try registry.withdrawBond(nodeId) {} catch (bytes memory reason) {
                revert ExitBlocked("withdrawBond", operator, nodeId, reason);
            }
        }
        if (node.bond != 0) {
            VM.prank(operator);
            // An exit that must succeed: nothing to do on success, the catch reverts naming the blocked exit.
            // solhint-disable-next-line no-empty-blocks
            try registry.unbond(nodeId, node.bond) {} catch (bytes memory reason) {
                revert ExitBlocked("unbond", operator, nodeId, reason);
            }
            currentTime += registry.MAX_UNBONDING_PERIOD() + 1;
            VM.warp(currentTime);
            VM.prank(operator);
            // An exit that must succeed: nothing to do on success, the catch reverts naming the blocked exit.
            // solhint-disable-next-line no-empty-blocks
            try registry.withdrawBond(nodeId) {} catch (bytes memory reason) {
                revert ExitBlocked("withdrawBond after unbond", operator, nodeId, reason);
            }
        }
        _assertEq(token.balanceOf(operator) - before, owed, "an operator's exit returns its whole bond");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Views for the invariant test
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice Every address that can ever hold ERA in this campaign (the actor set is closed).
    function holders() external view returns (address[] memory list) {
        list = new address[](USER_COUNT + OPERATOR_COUNT + DEVELOPER_COUNT + 14);
        uint256 k;
        for (uint256 i; i < USER_COUNT + OPERATOR_COUNT + DEVELOPER_COUNT; ++i) list[k++] = _anyone(i);
        list[k++] = treasury;
        list[k++] = address(timelock);
        list[k++] = governor;
        list[k++] = slashRecipient;
        list[k++] = scoreKeeper;
        list[k++] = publisher;
        list[k++] = guardian;
        list[k++] = address(this);
        list[k++] = address(token);
        list[k++] = address(registry);
        list[k++] = address(staking);
        list[k++] = address(scenarios);
        list[k++] = address(distributor);
        list[k++] = address(router);
    }

    /// @notice Number of epochs the handler proposed.
    function epochCount() external view returns (uint256) {
        return _epochs.length;
    }

    /// @notice The handler's model of an epoch.
    function epochModel(uint256 epochId) external view returns (EpochModel memory) {
        return _epochs[epochId];
    }

    /// @notice Number of leaves of an epoch.
    function leafCount(uint256 epochId) external view returns (uint256) {
        return _leaves[epochId].length;
    }

    /// @notice The operators, developers and users as one list (index 0 … 8).
    function anyone(uint256 i) external view returns (address) {
        return _anyone(i);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------------------------------

    /// @dev Whether `nodeId` accepts new stake: active as staking last heard from the registry (which lags a
    /// minimum-bond change until a sync), and not wiped out by a 100% slash while shares remain
    /// (`StakingNodeWipedOut`).
    function _takesStake(uint256 nodeId) private view returns (bool) {
        IDelegatedStaking.NodePoolView memory pool = staking.nodePool(nodeId);
        return staking.nodeActive(nodeId) && (pool.shares == 0 || pool.stake != 0);
    }

    uint8 private constant HAS_SHARES = 0;
    uint8 private constant HAS_MATURED_ENTRY = 1;
    uint8 private constant HAS_YIELD = 2;

    /// @dev A (user, node) pair, searched from a random starting point for one where the action can do something
    /// (shares to undelegate, a matured entry to withdraw, yield to claim); a random pair when there is none.
    function _position(uint256 seed, uint8 want) private view returns (address user, uint256 nodeId) {
        uint256 nodeCount = registry.nodeCount();
        uint256 pairs = USER_COUNT * nodeCount;
        for (uint256 k; k < pairs; ++k) {
            uint256 pair = ((seed % pairs) + k) % pairs;
            user = users[pair % USER_COUNT];
            nodeId = 1 + pair / USER_COUNT;
            if (want == HAS_SHARES && staking.sharesOf(user, nodeId) != 0) return (user, nodeId);
            if (want == HAS_YIELD && staking.claimableYield(user, nodeId) != 0) return (user, nodeId);
            if (want == HAS_MATURED_ENTRY) {
                IDelegatedStaking.UnbondingEntry[] memory entries = staking.unbondingsOf(user, nodeId);
                for (uint256 i; i < entries.length; ++i) if (entries[i].releaseAt <= currentTime) return (user, nodeId);
            }
        }
        return (users[seed % USER_COUNT], 1 + ((seed >> 8) % nodeCount));
    }

    /// @dev The first leaf from (epochId, index) on that the model says must pay; the start itself when none does.
    function _claimableLeaf(uint256 epochId, uint256 index) private view returns (uint256, uint256) {
        uint256 epochs = _epochs.length;
        for (uint256 k; k < epochs; ++k) {
            uint256 e = (epochId + k) % epochs;
            uint256 leaves = _leaves[e].length;
            for (uint256 j; j < leaves; ++j) {
                uint256 i = (index + j) % leaves;
                if (_expectedClaimError(e, i).length == 0) return (e, i);
            }
        }
        return (epochId, index);
    }

    function _undelegateAll(address user, uint256 nodeId) private {
        VM.prank(user);
        // An exit that must succeed: nothing to do on success, the catch reverts naming the blocked exit.
        // solhint-disable-next-line no-empty-blocks
        try staking.undelegate(nodeId, type(uint256).max) {} catch (bytes memory reason) {
            _violate(
                2,
                string.concat(
                    "undelegate(max) reverted for ",
                    user.toHexString(),
                    " node ",
                    nodeId.toString(),
                    _hex(reason)
                )
            );
        }
    }

    function _withdrawStake(address user, uint256 nodeId) private {
        IDelegatedStaking.UnbondingEntry[] memory entries = staking.unbondingsOf(user, nodeId);
        uint256 matured;
        uint256 count;
        for (uint256 i; i < entries.length; ++i) {
            if (entries[i].releaseAt <= currentTime) {
                matured += staking.unbondingValue(user, nodeId, i);
                ++count;
            }
        }
        if (count == 0) return;
        uint256 before = token.balanceOf(user);
        VM.prank(user);
        try staking.withdraw(nodeId) returns (uint256 paid) {
            _check(2, paid >= matured && token.balanceOf(user) - before == paid, "withdraw pays the matured value");
        } catch (bytes memory reason) {
            _violate(
                2,
                string.concat("withdraw reverted for ", user.toHexString(), " node ", nodeId.toString(), _hex(reason))
            );
        }
    }

    function _claimYield(address user, uint256 nodeId) private {
        uint256 claimable = staking.claimableYield(user, nodeId);
        if (claimable == 0) return;
        uint256 before = token.balanceOf(user);
        VM.prank(user);
        try staking.claim(nodeId) returns (uint256 paid) {
            ghostYieldPaid += paid;
            _check(2, paid == claimable && token.balanceOf(user) - before == paid, "claim pays claimableYield");
        } catch (bytes memory reason) {
            _violate(
                2,
                string.concat("claim reverted for ", user.toHexString(), " node ", nodeId.toString(), _hex(reason))
            );
        }
    }

    function _claim(uint256 epochId, uint256 index) private {
        Leaf memory leaf = _leaves[epochId][index];
        bytes memory expected = _expectedClaimError(epochId, index);
        bytes32[] memory proof = MerkleBuilder.proof(_leafHashes[epochId], index);
        uint256 before = token.balanceOf(leaf.account);
        bool ok;
        bytes memory reason;
        if (_epochs[epochId].kind == IEpochDistributor.EpochKind.UserReward) {
            try distributor.claimReward(epochId, index, leaf.account, leaf.amount, proof) {
                ok = true;
            } catch (bytes memory r) {
                reason = r;
            }
        } else {
            try
                distributor.claimSubsidy(
                    epochId,
                    index,
                    leaf.account,
                    leaf.scenarioId,
                    leaf.baseAmount,
                    leaf.mau,
                    proof
                )
            returns (uint256 paid) {
                ok = true;
                _check(3, paid == leaf.amount, "claimSubsidy pays base plus the MAU bonus");
            } catch (bytes memory r) {
                reason = r;
            }
        }
        if (ok) {
            _check(3, expected.length == 0, _claimText("claim accepted", epochId, index));
            _check(3, token.balanceOf(leaf.account) - before == leaf.amount, "claim pays the leaf's amount");
            _recordClaim(epochId, index);
        } else {
            _checkRevert(3, reason, expected, "claim");
        }
    }

    function _recordClaim(uint256 epochId, uint256 index) private {
        ++ghostClaimCount[epochId][index];
        _epochs[epochId].claimed += _leaves[epochId][index].amount;
    }

    /// @dev The distributor's checks in their order, evaluated on the handler's own model; empty when the claim
    /// must succeed.
    function _expectedClaimError(uint256 epochId, uint256 index) private view returns (bytes memory) {
        EpochModel memory model = _epochs[epochId];
        uint256 amount = _leaves[epochId][index].amount;
        if (model.vetoed) return abi.encodeWithSelector(IEpochDistributor.DistributorEpochVetoed.selector, epochId);
        if (currentTime < model.opensAt) {
            return abi.encodeWithSelector(IEpochDistributor.DistributorEpochNotOpen.selector, epochId, model.opensAt);
        }
        if (currentTime > model.claimDeadline) {
            return
                abi.encodeWithSelector(
                    IEpochDistributor.DistributorClaimExpired.selector,
                    epochId,
                    model.claimDeadline
                );
        }
        if (ghostClaimCount[epochId][index] != 0) {
            return abi.encodeWithSelector(IEpochDistributor.DistributorAlreadyClaimed.selector, epochId, index);
        }
        if (model.claimed + amount > model.budget) {
            return
                abi.encodeWithSelector(
                    IEpochDistributor.DistributorBudgetExceeded.selector,
                    epochId,
                    amount,
                    model.budget - model.claimed
                );
        }
        return "";
    }

    function _makeLeaf(uint256 seed, bool rewards) private view returns (Leaf memory leaf) {
        uint256 amount = _amount(seed, 20_000 ether);
        if (rewards) {
            leaf.account = users[(seed >> 128) % USER_COUNT];
            leaf.amount = amount;
            return leaf;
        }
        leaf.account = developers[(seed >> 128) % DEVELOPER_COUNT];
        leaf.scenarioId = 1 + ((seed >> 136) % scenarios.scenarioCount());
        leaf.baseAmount = amount;
        uint256 mauChoice = (seed >> 144) % 4;
        leaf.mau =
            mauChoice == 0
                ? 100_000
                : mauChoice == 1
                    ? 100_001
                    : _bound(seed >> 152, 0, 300_000);
        // The MAU bonus, recomputed here from DESIGN.md §3: +10% (rounded down) strictly above 100,000 users.
        leaf.amount = leaf.mau > 100_000 ? amount + amount / 10 : amount;
    }

    function _rewardLeaf(uint256 epochId, uint256 index, Leaf memory leaf) private view returns (bytes32) {
        return
            keccak256(
                bytes.concat(
                    keccak256(
                        abi.encode(block.chainid, address(distributor), epochId, index, leaf.account, leaf.amount)
                    )
                )
            );
    }

    function _subsidyLeaf(uint256 epochId, uint256 index, Leaf memory leaf) private view returns (bytes32) {
        return
            keccak256(
                bytes.concat(
                    keccak256(
                        abi.encode(
                            block.chainid,
                            address(distributor),
                            epochId,
                            index,
                            leaf.account,
                            leaf.scenarioId,
                            leaf.baseAmount,
                            leaf.mau
                        )
                    )
                )
            );
    }

    /// @dev Budget equal to the leaves' total, short of it (the last claims hit the cap), or above it (swept later).
    function _budget(uint256 total, uint256 seed) private pure returns (uint256) {
        uint256 mode = seed % 3;
        if (mode == 1 && total > 1) return total - _bound(seed >> 8, 1, total - 1);
        if (mode == 2) return total + _bound(seed >> 8, 1, 10_000 ether);
        return total;
    }

    function _fundDistributor(address funder, uint256 amount, bool rewards) private {
        _approve(funder, address(distributor), amount);
        VM.prank(funder);
        if (rewards) distributor.fundUserRewards(amount);
        else distributor.fundSubsidies(amount);
        ghostDistributorFunded[rewards ? 1 : 0] += amount;
    }

    function _maturedBond(uint256 nodeId) private view returns (uint256 amount, uint256 count) {
        INodeRegistry.BondUnbonding[] memory entries = registry.getBondUnbondings(nodeId);
        for (uint256 i; i < entries.length; ++i) {
            if (entries[i].releaseAt <= currentTime) {
                amount += entries[i].amount;
                ++count;
            }
        }
    }

    function _permit(
        address owner,
        address spender,
        uint256 value,
        uint256 deadline
    ) private view returns (uint8 v, bytes32 r, bytes32 s) {
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
        return VM.sign(_keyOf[owner], digest);
    }

    function _approve(address owner, address spender, uint256 amount) private {
        VM.prank(owner);
        token.approve(spender, amount);
    }

    /// @dev Amounts: one time in eight dust (≤ 1e6 wei), one in eight the maximum, otherwise 1 ERA … max.
    function _amount(uint256 seed, uint256 max) private pure returns (uint256) {
        uint256 mode = seed % 8;
        if (mode == 0) return _bound(seed >> 8, 1, 1e6);
        if (mode == 1) return max;
        return _bound(seed >> 8, 1 ether, max);
    }

    function _node(uint256 seed) private view returns (uint256) {
        return 1 + (seed % registry.nodeCount());
    }

    function _scenario(uint256 seed) private view returns (uint256) {
        return 1 + (seed % scenarios.scenarioCount());
    }

    function _payer(uint256 seed) private view returns (address) {
        uint256 i = seed % (USER_COUNT + DEVELOPER_COUNT);
        return i < USER_COUNT ? users[i] : developers[i - USER_COUNT];
    }

    function _funder(uint256 seed) private view returns (address) {
        uint256 i = seed % (USER_COUNT + 1);
        return i < USER_COUNT ? users[i] : treasury;
    }

    function _anyone(uint256 seed) private view returns (address) {
        uint256 i = seed % (USER_COUNT + OPERATOR_COUNT + DEVELOPER_COUNT);
        if (i < USER_COUNT) return users[i];
        if (i < USER_COUNT + OPERATOR_COUNT) return operators[i - USER_COUNT];
        return developers[i - USER_COUNT - OPERATOR_COUNT];
    }

    function _check(uint256 invariantNo, bool ok, string memory what) private {
        if (!ok) _violate(invariantNo, what);
    }

    /// @dev A refusal must carry exactly the expected custom error; an empty expectation means it must not fail.
    function _checkRevert(uint256 invariantNo, bytes memory got, bytes memory want, string memory what) private {
        if (want.length == 0) _violate(invariantNo, string.concat(what, " refused unexpectedly", _hex(got)));
        else if (keccak256(got) != keccak256(want)) {
            _violate(invariantNo, string.concat(what, " refused with the wrong error", _hex(got), " want", _hex(want)));
        }
    }

    function _violate(uint256 invariantNo, string memory what) private {
        if (violations[invariantNo]++ == 0) firstViolation[invariantNo] = what;
    }

    function _claimText(string memory what, uint256 epochId, uint256 index) private pure returns (string memory) {
        return string.concat(what, " against the model: epoch ", epochId.toString(), " leaf ", index.toString());
    }

    function _hex(bytes memory data) private pure returns (string memory out) {
        bytes memory digits = "0123456789abcdef";
        uint256 length = data.length < 68 ? data.length : 68;
        bytes memory buffer = new bytes(2 * length);
        for (uint256 i; i < length; ++i) {
            buffer[2 * i] = digits[uint8(data[i]) >> 4];
            buffer[2 * i + 1] = digits[uint8(data[i]) & 0x0f];
        }
        out = string.concat(" 0x", string(buffer));
    }
}
