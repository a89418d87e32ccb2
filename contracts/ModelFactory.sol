// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IDatanetRegistry} from "./interfaces/IDatanetRegistry.sol";
import {IModelFactory} from "./interfaces/IModelFactory.sol";

/// @title ModelFactory
/// @notice Base models, fine-tuned models and their lineage. See IModelFactory.
/// @dev A version's settings fit one slot; its adapter and evaluation hashes take two more and its
/// datasets one slot each (at most 16). Names, URIs, LoRA targets, scheduler and template live in events only.
contract ModelFactory is IModelFactory {
    // Finetuning types, in the order of LLaMA-Factory's `finetuning_type` (src/llamafactory/hparams/
    // finetuning_args.py, Literal["lora", "oft", "freeze", "full"]) without OFT, whose settings are not LoRA's.
    uint8 internal constant LORA = 0;
    uint8 internal constant FREEZE = 1;
    uint8 internal constant FULL = 2;
    // Ranges of LLaMA-Factory's web UI (src/llamafactory/webui/components/train.py, hiyouga/LLaMA-Factory
    // ff6d4d1): lora_rank 1-1024, lora_alpha 1-2048, lora_dropout 0-1, per-device batch size and gradient
    // accumulation 1-1024, cutoff_len 4-131072.
    uint16 internal constant MAX_LORA_RANK = 1_024;
    uint16 internal constant MAX_LORA_ALPHA = 2_048;
    uint16 internal constant MAX_DROPOUT_BPS = 10_000;
    uint256 internal constant MAX_LORA_TARGETS = 32;
    uint256 internal constant MAX_TRAINING_DATASETS = 16;
    uint64 internal constant MAX_LEARNING_RATE_WAD = 1e18;
    uint24 internal constant MAX_EPOCHS_MILLI = 1_000_000;
    uint16 internal constant MAX_BATCH_SIZE = 1_024;
    uint16 internal constant MAX_GRADIENT_ACCUMULATION_STEPS = 1_024;
    uint24 internal constant MIN_CUTOFF_LEN = 4;
    uint24 internal constant MAX_CUTOFF_LEN = 131_072;
    uint256 internal constant MAX_NAME_BYTES = 64;

    /// @notice Where training datanet versions are checked and their roots read.
    IDatanetRegistry public immutable registry;

    uint64 private _baseModelCount;
    uint64 private _modelCount;
    mapping(uint256 baseModelId => BaseModel) private _baseModels;
    mapping(uint256 modelId => Model) private _models;
    mapping(uint256 modelId => mapping(uint32 version => ModelVersion)) private _versions;
    mapping(uint256 modelId => mapping(uint32 version => DatanetVersionRef[])) private _trainingData;

    /// @param registry_ The datanet registry.
    constructor(IDatanetRegistry registry_) {
        registry = registry_;
    }

    /// @inheritdoc IModelFactory
    function registerBaseModel(BaseModelSpec calldata spec) external returns (uint256 baseModelId) {
        if (bytes(spec.name).length == 0) revert EmptyName();
        if (spec.parameterCount == 0) revert ZeroParameterCount();
        if (spec.artifactHash == bytes32(0)) revert EmptyArtifactHash();
        baseModelId = ++_baseModelCount;
        _baseModels[baseModelId] = BaseModel({
            registrant: msg.sender,
            parameterCount: spec.parameterCount,
            registeredAt: uint40(block.timestamp),
            artifactHash: spec.artifactHash
        });
        emit BaseModelRegistered(
            baseModelId, msg.sender, spec.name, spec.family, spec.parameterCount, spec.artifactHash, spec.artifactURI, spec.license
        );
    }

    /// @inheritdoc IModelFactory
    function registerModel(uint256 baseModelId, string calldata name, FineTuneSpec calldata spec)
        external
        returns (uint256 modelId)
    {
        if (_baseModels[baseModelId].registrant == address(0)) revert UnknownBaseModel(baseModelId);
        if (bytes(name).length == 0) revert EmptyName();
        modelId = ++_modelCount;
        _models[modelId] = Model({owner: msg.sender, baseModelId: uint64(baseModelId), versionCount: 0, pendingOwner: address(0)});
        emit ModelRegistered(modelId, baseModelId, msg.sender, name);
        _publishVersion(modelId, spec);
    }

    /// @inheritdoc IModelFactory
    function publishModelVersion(uint256 modelId, FineTuneSpec calldata spec) external returns (uint32 version) {
        _requireOwner(modelId);
        version = _publishVersion(modelId, spec);
    }

    /// @inheritdoc IModelFactory
    function transferModelOwnership(uint256 modelId, address newOwner) external {
        _requireOwner(modelId);
        _models[modelId].pendingOwner = newOwner;
        emit ModelOwnershipTransferStarted(modelId, msg.sender, newOwner);
    }

    /// @inheritdoc IModelFactory
    function acceptModelOwnership(uint256 modelId) external {
        Model storage model = _models[modelId];
        if (model.owner == address(0)) revert UnknownModel(modelId);
        if (model.pendingOwner != msg.sender || msg.sender == address(0)) revert NotPendingModelOwner(modelId, msg.sender);
        address previous = model.owner;
        model.owner = msg.sender;
        model.pendingOwner = address(0);
        emit ModelOwnershipTransferred(modelId, previous, msg.sender);
    }

    /// @inheritdoc IModelFactory
    function getBaseModel(uint256 baseModelId) external view returns (BaseModel memory info) {
        info = _baseModels[baseModelId];
        if (info.registrant == address(0)) revert UnknownBaseModel(baseModelId);
    }

    /// @inheritdoc IModelFactory
    function getModel(uint256 modelId) external view returns (Model memory info) {
        info = _models[modelId];
        if (info.owner == address(0)) revert UnknownModel(modelId);
    }

    /// @inheritdoc IModelFactory
    function getModelVersion(uint256 modelId, uint32 version) external view returns (ModelVersion memory info) {
        info = _versions[modelId][version];
        if (info.publishedAt == 0) revert UnknownModelVersion(modelId, version);
    }

    /// @inheritdoc IModelFactory
    function trainingDataOf(uint256 modelId, uint32 version) external view returns (DatanetVersionRef[] memory refs) {
        if (_versions[modelId][version].publishedAt == 0) revert UnknownModelVersion(modelId, version);
        refs = _trainingData[modelId][version];
    }

    /// @inheritdoc IModelFactory
    function ownerOf(uint256 modelId) external view returns (address owner) {
        owner = _models[modelId].owner;
    }

    /// @inheritdoc IModelFactory
    function baseModelCount() external view returns (uint256 count) {
        count = _baseModelCount;
    }

    /// @inheritdoc IModelFactory
    function modelCount() external view returns (uint256 count) {
        count = _modelCount;
    }

    function _requireOwner(uint256 modelId) private view {
        address owner = _models[modelId].owner;
        if (owner == address(0)) revert UnknownModel(modelId);
        if (owner != msg.sender) revert NotModelOwner(modelId, msg.sender);
    }

    function _publishVersion(uint256 modelId, FineTuneSpec calldata spec) private returns (uint32 version) {
        Hyperparameters calldata hp = spec.hyperparameters;
        _checkHyperparameters(hp);
        if (spec.adapterHash == bytes32(0)) revert EmptyArtifactHash();
        version = ++_models[modelId].versionCount;
        _versions[modelId][version] = ModelVersion({
            finetuningType: hp.finetuningType,
            loraRank: hp.loraRank,
            loraAlpha: hp.loraAlpha,
            loraDropoutBps: hp.loraDropoutBps,
            quantizationBit: hp.quantizationBit,
            learningRateWad: hp.learningRateWad,
            numTrainEpochsMilli: hp.numTrainEpochsMilli,
            perDeviceTrainBatchSize: hp.perDeviceTrainBatchSize,
            gradientAccumulationSteps: hp.gradientAccumulationSteps,
            cutoffLen: hp.cutoffLen,
            publishedAt: uint40(block.timestamp),
            adapterHash: spec.adapterHash,
            evaluationHash: spec.evaluationHash
        });
        emit ModelVersionPublished(modelId, version, hp, spec.adapterHash, spec.adapterURI, spec.evaluationHash);
        _recordTrainingData(modelId, version, spec.trainingData);
    }

    /// @dev Each dataset must be a published version (the registry's `VersionUnknown` otherwise),
    /// listed once; its root is copied into the event so lineage needs no second lookup.
    function _recordTrainingData(uint256 modelId, uint32 version, DatanetVersionRef[] calldata refs) private {
        uint256 count = refs.length;
        if (count == 0) revert NoTrainingData();
        if (count > MAX_TRAINING_DATASETS) revert TooManyTrainingDatasets(count);
        DatanetVersionRef[] storage stored = _trainingData[modelId][version];
        for (uint256 i = 0; i < count; ++i) {
            DatanetVersionRef calldata ref = refs[i];
            for (uint256 j = 0; j < i; ++j) {
                if (refs[j].datanetId == ref.datanetId && refs[j].version == ref.version) {
                    revert DuplicateTrainingData(ref.datanetId, ref.version);
                }
            }
            IDatanetRegistry.Version memory published = registry.getVersion(ref.datanetId, ref.version);
            stored.push(ref);
            emit TrainingDataRecorded(
                modelId, version, ref.datanetId, ref.version, published.root, published.contributionCount
            );
        }
    }

    /// @dev The checks LLaMA-Factory makes (or its web UI bounds), in the SDK's order (`preflightFineTune`).
    function _checkHyperparameters(Hyperparameters calldata hp) private pure {
        uint8 finetuningType = hp.finetuningType;
        if (finetuningType > FULL) revert UnknownFinetuningType(finetuningType);
        if (finetuningType == LORA) {
            _checkLora(hp);
        } else if (hp.loraRank != 0 || hp.loraAlpha != 0 || hp.loraDropoutBps != 0 || hp.loraTarget.length != 0) {
            revert LoraSettingsWithoutLora();
        }
        // LLaMA-Factory's parser: "Quantization is only compatible with the LoRA or OFT method"; QLoRA is LoRA on a quantized base.
        uint8 bits = hp.quantizationBit;
        if ((bits != 0 && bits != 4 && bits != 8) || (bits != 0 && finetuningType != LORA)) {
            revert InvalidQuantizationBit(finetuningType, bits);
        }
        if (hp.learningRateWad == 0 || hp.learningRateWad > MAX_LEARNING_RATE_WAD) {
            revert InvalidLearningRate(hp.learningRateWad);
        }
        if (hp.numTrainEpochsMilli == 0 || hp.numTrainEpochsMilli > MAX_EPOCHS_MILLI) {
            revert InvalidTrainingEpochs(hp.numTrainEpochsMilli);
        }
        uint16 batch = hp.perDeviceTrainBatchSize;
        if (batch == 0 || batch > MAX_BATCH_SIZE) revert InvalidBatchSize(batch);
        uint16 steps = hp.gradientAccumulationSteps;
        if (steps == 0 || steps > MAX_GRADIENT_ACCUMULATION_STEPS) revert InvalidGradientAccumulationSteps(steps);
        if (hp.cutoffLen < MIN_CUTOFF_LEN || hp.cutoffLen > MAX_CUTOFF_LEN) revert InvalidCutoffLength(hp.cutoffLen);
        if (!_isName(hp.lrSchedulerType)) revert InvalidLrSchedulerType(hp.lrSchedulerType);
        if (!_isName(hp.template)) revert InvalidTemplate(hp.template);
    }

    function _checkLora(Hyperparameters calldata hp) private pure {
        uint16 rank = hp.loraRank;
        if (rank == 0 || rank > MAX_LORA_RANK) revert InvalidLoraRank(rank);
        if (hp.loraAlpha == 0 || hp.loraAlpha > MAX_LORA_ALPHA) revert InvalidLoraAlpha(hp.loraAlpha);
        if (hp.loraDropoutBps > MAX_DROPOUT_BPS) revert InvalidLoraDropout(hp.loraDropoutBps);
        uint256 targets = hp.loraTarget.length;
        if (targets == 0) revert NoLoraTarget();
        if (targets > MAX_LORA_TARGETS) revert TooManyLoraTargets(targets);
        for (uint256 i = 0; i < targets; ++i) {
            if (bytes(hp.loraTarget[i]).length == 0) revert EmptyLoraTarget(i);
        }
    }

    /// @dev A scheduler or template name as LLaMA-Factory spells them: 1 to 64 of [a-z0-9_.-].
    function _isName(string calldata name) private pure returns (bool) {
        bytes calldata b = bytes(name);
        if (b.length == 0 || b.length > MAX_NAME_BYTES) return false;
        for (uint256 i = 0; i < b.length; ++i) {
            bytes1 c = b[i];
            bool ok = (c >= "a" && c <= "z") || (c >= "0" && c <= "9") || c == "_" || c == "." || c == "-";
            if (!ok) return false;
        }
        return true;
    }
}
