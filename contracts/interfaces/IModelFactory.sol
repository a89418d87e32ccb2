// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title ModelFactory: base models, fine-tuned models and their exact training data
/// @notice Records base models and fine-tuned models (LoRA, QLoRA or full fine-tunes) with their
/// hyperparameters, adapter artifact and the published datanet versions they were trained on. Every
/// control on a hyperparameter is checked on chain with its own error. Lineage (adapter ↔ datanet
/// version roots) is rebuilt from events alone: `ModelVersionPublished` carries the hyperparameters
/// and artifact, and one `TrainingDataRecorded` per dataset carries the version's root as published.
interface IModelFactory {
    // Training methods travel as `uint8` so that an unknown one gets its own error rather than an
    // ABI decoding failure: LoRA = 0, QLoRA = 1 (LoRA over a 4- or 8-bit quantized base), Full = 2.

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

    /// @notice Training hyperparameters. LoRA fields are zero / empty for a full fine-tune.
    /// @param method 0 LoRA, 1 QLoRA, 2 full.
    /// @param loraRank r: a power of two in [1, 256].
    /// @param loraAlpha lora_alpha: 1 .. 65,535.
    /// @param loraDropoutBps lora_dropout in basis points: at most 5,000 (0.5).
    /// @param quantizationBits 4 or 8 for QLoRA; 0 otherwise.
    /// @param learningRateWad Learning rate scaled by 1e18 (2e-4 is 2e14): (0, 1e18].
    /// @param epochs Training epochs: 1 .. 1,000.
    /// @param batchSize Effective batch size: 1 .. 65,536.
    /// @param cutoffLength Maximum sequence length in tokens: 1 .. 1,048,576.
    /// @param targetModules target_modules: 1 .. 32 non-empty names for LoRA and QLoRA.
    struct Hyperparameters {
        uint8 method;
        uint16 loraRank;
        uint16 loraAlpha;
        uint16 loraDropoutBps;
        uint8 quantizationBits;
        uint64 learningRateWad;
        uint16 epochs;
        uint32 batchSize;
        uint32 cutoffLength;
        string[] targetModules;
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

    /// @notice One version of a fine-tuned model as stored (target modules and URIs are in events).
    struct ModelVersion {
        uint8 method;
        uint16 loraRank;
        uint16 loraAlpha;
        uint16 loraDropoutBps;
        uint8 quantizationBits;
        uint64 learningRateWad;
        uint16 epochs;
        uint32 batchSize;
        uint32 cutoffLength;
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
    /// @notice A method other than LoRA (0), QLoRA (1) or full (2).
    error UnknownTrainingMethod(uint8 method);
    /// @notice A LoRA rank that is not a power of two in [1, 256].
    error InvalidLoraRank(uint16 rank);
    /// @notice A LoRA alpha of zero.
    error InvalidLoraAlpha(uint16 alpha);
    /// @notice A LoRA dropout above 5,000 basis points (0.5).
    error InvalidLoraDropout(uint16 dropoutBps);
    /// @notice Quantization bits other than 4 or 8 for QLoRA, or any for another method.
    error InvalidQuantizationBits(uint8 method, uint8 bits);
    /// @notice A LoRA or QLoRA run without target modules.
    error NoTargetModules();
    /// @notice More than 32 target modules.
    error TooManyTargetModules(uint256 count);
    /// @notice A target module with an empty name.
    error EmptyTargetModule(uint256 index);
    /// @notice A full fine-tune given LoRA settings (rank, alpha, dropout or target modules).
    error LoraSettingsOnFullFineTune();
    /// @notice A learning rate of zero or above 1.
    error InvalidLearningRate(uint64 learningRateWad);
    /// @notice Training epochs outside 1 .. 1,000.
    error InvalidTrainingEpochs(uint16 epochs);
    /// @notice A batch size outside 1 .. 65,536.
    error InvalidBatchSize(uint32 batchSize);
    /// @notice A cutoff length outside 1 .. 1,048,576 tokens.
    error InvalidCutoffLength(uint32 cutoffLength);
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
