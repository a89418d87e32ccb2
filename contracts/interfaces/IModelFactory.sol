// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title ModelFactory: base models, fine-tuned models and their exact training data
/// @notice Records base models and fine-tuned models (LoRA, QLoRA, freeze or full fine-tunes) with their
/// training settings, adapter artifact and the published datanet versions they were trained on. The
/// settings are LLaMA-Factory's arguments, under its names, ranges and defaults (hiyouga/LLaMA-Factory
/// src/llamafactory/hparams/finetuning_args.py, data_args.py, model_args.py; ranges from its web UI,
/// src/llamafactory/webui/components/train.py), so a run's record is the YAML `llamafactory-cli train`
/// took. Every control on a setting is checked on chain with its own error. Lineage (adapter ↔ datanet
/// version roots) is rebuilt from events alone: `ModelVersionPublished` carries the settings and
/// artifact, and one `TrainingDataRecorded` per dataset carries the version's root as published.
interface IModelFactory {
    // `finetuning_type` travels as `uint8` so that an unknown one gets its own error rather than an ABI
    // decoding failure: lora = 0, freeze = 1, full = 2. QLoRA is lora with `quantization_bit` 4 or 8
    // (a quantized base), as in LLaMA-Factory.

    /// @notice A base model.
    /// @param name A human name ("Llama-3.1-8B").
    /// @param family The architecture family ("llama").
    /// @param parameterCount Parameters of the base model.
    /// @param artifactHash Hash of the weights.
    /// @param artifactURI Where the weights live.
    /// @param license SPDX id or license name.
    struct BaseModelSpec {
        string name;
        string family;
        uint64 parameterCount;
        bytes32 artifactHash;
        string artifactURI;
        string license;
    }

    /// @notice Training settings: LLaMA-Factory's arguments of the same (snake_case) names. LoRA fields
    /// are zero / empty unless `finetuningType` is lora.
    /// @param finetuningType finetuning_type: 0 lora, 1 freeze, 2 full.
    /// @param loraRank lora_rank: 1 .. 1,024 (LLaMA-Factory's default is 8).
    /// @param loraAlpha lora_alpha: 1 .. 2,048 (LLaMA-Factory's default, which the SDK fills in, is 2 × rank).
    /// @param loraDropoutBps lora_dropout in basis points: 0 .. 10,000 (0 .. 1).
    /// @param quantizationBit quantization_bit: 0 (none), 4 or 8; only for lora (QLoRA).
    /// @param learningRateWad learning_rate scaled by 1e18 (1e-4 is 1e14): (0, 1e18].
    /// @param numTrainEpochsMilli num_train_epochs × 1,000 (3.0 is 3,000): 1 .. 1,000,000.
    /// @param perDeviceTrainBatchSize per_device_train_batch_size: 1 .. 1,024.
    /// @param gradientAccumulationSteps gradient_accumulation_steps: 1 .. 1,024.
    /// @param cutoffLen cutoff_len in tokens: 4 .. 131,072.
    /// @param loraTarget lora_target, one module name each ("all" for every linear module): 1 .. 32 for lora.
    /// @param lrSchedulerType lr_scheduler_type ("cosine"): 1 .. 64 of [a-z0-9_.-].
    /// @param template template (the chat template, "llama3"): 1 .. 64 of [a-z0-9_.-].
    struct Hyperparameters {
        uint8 finetuningType;
        uint16 loraRank;
        uint16 loraAlpha;
        uint16 loraDropoutBps;
        uint8 quantizationBit;
        uint64 learningRateWad;
        uint24 numTrainEpochsMilli;
        uint16 perDeviceTrainBatchSize;
        uint16 gradientAccumulationSteps;
        uint24 cutoffLen;
        string[] loraTarget;
        string lrSchedulerType;
        string template;
    }

    /// @notice A published datanet version.
    struct DatanetVersionRef {
        uint32 datanetId;
        uint32 version;
    }

    /// @notice One training run: what was trained, on what, and what came out.
    /// @param hyperparameters The settings.
    /// @param trainingData 1 .. 16 distinct published datanet versions.
    /// @param adapterHash Hash of the adapter (or, for a full fine-tune, the weights) file.
    /// @param adapterURI Where it lives.
    /// @param evaluationHash Hash of the evaluation results (zero if none).
    struct FineTuneSpec {
        Hyperparameters hyperparameters;
        DatanetVersionRef[] trainingData;
        bytes32 adapterHash;
        string adapterURI;
        bytes32 evaluationHash;
    }

    /// @notice A base model as stored.
    struct BaseModel {
        address registrant;
        uint64 parameterCount;
        uint40 registeredAt;
        bytes32 artifactHash;
    }

    /// @notice A fine-tuned model as stored.
    struct Model {
        address owner;
        uint64 baseModelId;
        uint32 versionCount;
        address pendingOwner;
    }

    /// @notice One version of a fine-tuned model as stored (LoRA targets, scheduler, template and URIs are in events).
    struct ModelVersion {
        uint8 finetuningType;
        uint16 loraRank;
        uint16 loraAlpha;
        uint16 loraDropoutBps;
        uint8 quantizationBit;
        uint64 learningRateWad;
        uint24 numTrainEpochsMilli;
        uint16 perDeviceTrainBatchSize;
        uint16 gradientAccumulationSteps;
        uint24 cutoffLen;
        uint40 publishedAt;
        bytes32 adapterHash;
        bytes32 evaluationHash;
    }

    /// @notice A name that must be given is empty.
    error EmptyName();
    /// @notice A base model with zero parameters.
    error ZeroParameterCount();
    /// @notice An artifact or adapter hash of zero.
    error EmptyArtifactHash();
    /// @notice No base model has this id.
    error UnknownBaseModel(uint256 baseModelId);
    /// @notice No fine-tuned model has this id.
    error UnknownModel(uint256 modelId);
    /// @notice No such version of the model.
    error UnknownModelVersion(uint256 modelId, uint32 version);
    /// @notice Only the model's owner may do this.
    error NotModelOwner(uint256 modelId, address caller);
    /// @notice Only the pending owner may accept the model.
    error NotPendingModelOwner(uint256 modelId, address caller);
    /// @notice A finetuning_type other than lora (0), freeze (1) or full (2).
    error UnknownFinetuningType(uint8 finetuningType);
    /// @notice A lora_rank outside 1 .. 1,024.
    error InvalidLoraRank(uint16 rank);
    /// @notice A lora_alpha outside 1 .. 2,048.
    error InvalidLoraAlpha(uint16 alpha);
    /// @notice A lora_dropout above 10,000 basis points (1).
    error InvalidLoraDropout(uint16 dropoutBps);
    /// @notice A quantization_bit other than 0, 4 or 8, or a quantized base for freeze or full tuning.
    error InvalidQuantizationBit(uint8 finetuningType, uint8 bits);
    /// @notice A LoRA run without lora_target.
    error NoLoraTarget();
    /// @notice More than 32 lora_target modules.
    error TooManyLoraTargets(uint256 count);
    /// @notice A lora_target module with an empty name.
    error EmptyLoraTarget(uint256 index);
    /// @notice A freeze or full fine-tune given LoRA settings (rank, alpha, dropout or targets).
    error LoraSettingsWithoutLora();
    /// @notice A learning rate of zero or above 1.
    error InvalidLearningRate(uint64 learningRateWad);
    /// @notice num_train_epochs outside 0.001 .. 1,000 (in thousandths).
    error InvalidTrainingEpochs(uint24 numTrainEpochsMilli);
    /// @notice A per_device_train_batch_size outside 1 .. 1,024.
    error InvalidBatchSize(uint16 batchSize);
    /// @notice gradient_accumulation_steps outside 1 .. 1,024.
    error InvalidGradientAccumulationSteps(uint16 steps);
    /// @notice A cutoff_len outside 4 .. 131,072 tokens.
    error InvalidCutoffLength(uint24 cutoffLen);
    /// @notice An lr_scheduler_type that is not 1 .. 64 of [a-z0-9_.-].
    error InvalidLrSchedulerType(string lrSchedulerType);
    /// @notice A template that is not 1 .. 64 of [a-z0-9_.-].
    error InvalidTemplate(string template);
    /// @notice A run without training data.
    error NoTrainingData();
    /// @notice More than 16 datanet versions.
    error TooManyTrainingDatasets(uint256 count);
    /// @notice The same datanet version listed twice.
    error DuplicateTrainingData(uint32 datanetId, uint32 version);

    /// @notice A base model was registered.
    event BaseModelRegistered(
        uint256 indexed baseModelId,
        address indexed registrant,
        string name,
        string family,
        uint64 parameterCount,
        bytes32 artifactHash,
        string artifactURI,
        string license
    );
    /// @notice A fine-tuned model was created; its first version follows in the same transaction.
    event ModelRegistered(uint256 indexed modelId, uint256 indexed baseModelId, address indexed owner, string name);
    /// @notice A version of a model was published with these settings and this artifact.
    event ModelVersionPublished(
        uint256 indexed modelId,
        uint32 indexed version,
        Hyperparameters hyperparameters,
        bytes32 adapterHash,
        string adapterURI,
        bytes32 evaluationHash
    );
    /// @notice One dataset of a model version: the datanet version, with its root and size as published.
    event TrainingDataRecorded(
        uint256 indexed modelId,
        uint32 indexed version,
        uint256 indexed datanetId,
        uint32 datanetVersion,
        bytes32 versionRoot,
        uint64 contributionCount
    );
    /// @notice The owner offered the model to `pendingOwner` (zero cancels).
    event ModelOwnershipTransferStarted(uint256 indexed modelId, address indexed owner, address indexed pendingOwner);
    /// @notice The pending owner accepted.
    event ModelOwnershipTransferred(uint256 indexed modelId, address indexed previousOwner, address indexed newOwner);

    /// @notice Registers a base model; the caller is its registrant.
    /// @param spec The model.
    /// @return baseModelId Its id, counting from 1.
    function registerBaseModel(BaseModelSpec calldata spec) external returns (uint256 baseModelId);

    /// @notice Registers a fine-tuned model owned by the caller, with its first version.
    /// @param baseModelId The base model it adapts.
    /// @param name A human name.
    /// @param spec The first training run.
    /// @return modelId Its id, counting from 1.
    function registerModel(uint256 baseModelId, string calldata name, FineTuneSpec calldata spec)
        external
        returns (uint256 modelId);

    /// @notice Publishes the next version of a model (a new training run). Only the owner.
    /// @param modelId The model.
    /// @param spec The training run.
    /// @return version The version number, counting from 1.
    function publishModelVersion(uint256 modelId, FineTuneSpec calldata spec) external returns (uint32 version);

    /// @notice Offers the model to `newOwner` (zero cancels a pending offer). Only the owner.
    /// @param modelId The model.
    /// @param newOwner Who may accept.
    function transferModelOwnership(uint256 modelId, address newOwner) external;

    /// @notice Accepts a pending offer. Only the pending owner.
    /// @param modelId The model.
    function acceptModelOwnership(uint256 modelId) external;

    /// @notice A base model.
    /// @param baseModelId The base model.
    /// @return info Registrant, size, time and artifact hash.
    function getBaseModel(uint256 baseModelId) external view returns (BaseModel memory info);

    /// @notice A fine-tuned model.
    /// @param modelId The model.
    /// @return info Owner, base model, versions and pending owner.
    function getModel(uint256 modelId) external view returns (Model memory info);

    /// @notice One version of a model.
    /// @param modelId The model.
    /// @param version The version.
    /// @return info Its settings and artifact hashes.
    function getModelVersion(uint256 modelId, uint32 version) external view returns (ModelVersion memory info);

    /// @notice The datanet versions a model version was trained on.
    /// @param modelId The model.
    /// @param version The version.
    /// @return refs The datanet versions, in the order given.
    function trainingDataOf(uint256 modelId, uint32 version) external view returns (DatanetVersionRef[] memory refs);

    /// @notice Who owns a model (zero if there is none).
    /// @param modelId The model.
    /// @return owner The owner.
    function ownerOf(uint256 modelId) external view returns (address owner);

    /// @notice How many base models exist.
    /// @return count The count.
    function baseModelCount() external view returns (uint256 count);

    /// @notice How many fine-tuned models exist.
    /// @return count The count.
    function modelCount() external view returns (uint256 count);
}
