"""The rules' word lists: well-known names by type, cue words, phrase heads and modifiers.

All entries are lower case; the short lists of well-known names (``KNOWN``) are keyed by
``concept_key`` so a name matches whatever its spelling in the text. ``pipeline.extract.rules``
reads them all; the NER extractors (``model.py``, ``hybrid.py``) read ``KNOWN``, ``VERBISH``
and the not-a-name list.
"""

from __future__ import annotations

from schemas.keys import concept_key
from schemas.model import ConceptType

M, D, B, T, R = (
    ConceptType.METHOD,
    ConceptType.DATASET,
    ConceptType.BENCHMARK,
    ConceptType.TASK,
    ConceptType.METRIC,
)


def word_set(text: str) -> frozenset[str]:
    """The whitespace-separated words of ``text``: the form every word list here is written in."""
    return frozenset(text.split())


def _keys(names: str) -> set[str]:
    return {concept_key(n) for n in names.split("|")}


_DATASET_NAMES = (
    "MNIST|Fashion-MNIST|EMNIST|CIFAR-10|CIFAR-100|CIFAR|ImageNet|ImageNet-1k|ImageNet-21k|"
    "COCO|MS COCO|MSCOCO|SQuAD|SQuAD 2.0|HotpotQA|Natural Questions|TriviaQA|Penn Treebank|PTB|"
    "WikiText-2|WikiText-103|WikiText|C4|The Pile|Common Crawl|LAION-5B|LAION|CelebA|SVHN|"
    "Cityscapes|KITTI|PASCAL VOC|VOC|ADE20K|CoNLL-2003|CoNLL|SNLI|MultiNLI|MNLI|LibriSpeech|"
    "Omniglot|MS MARCO|OpenWebText|RedPajama|ShareGPT|Wikipedia|BookCorpus|Visual Genome|"
    "Flickr30k|CUB|Places365|LSUN|FFHQ|Kinetics|UCF101|ShapeNet|ScanNet|nuScenes|Waymo|"
    "Market-1501|ILSVRC|STL-10|CUHK03|DAVIS|Set5|Set14|BSD100|Urban100|CamVid|LFW|WMT|"
    "IWSLT|Ego4D|OpenImages|Open Images|YFCC100M|Stanford Cars|Caltech-101|"
    # widely used in 2024-25 papers (3D vision, segmentation, vision-language, speech)
    "RealEstate10K|RE10K|LLFF|Objaverse|SA-1B|LAION-400M|DataComp|Synapse|AMOS|"
    "BraTS|ScanNet++|Matterport3D|Replica|Mip-NeRF 360|ShapeNetCore|ModelNet40|"
    "CC3M|CC12M|WebVid|HowTo100M|MSR-VTT|ActivityNet|Something-Something|NTU RGB+D|"
    "Common Voice|VoxCeleb|AudioSet|FineWeb|Dolma|SlimPajama|UltraChat|OpenOrca|"
    "Alpaca dataset|Dolly|LMSYS-Chat-1M|SketchyCOCO|FS-COCO|RefCOCO|RefCOCO+|RefCOCOg|"
    "GQA|TextVQA|DocVQA|ChartQA|OK-VQA|ScienceQA|MedQA|PubMedQA|MIMIC-III|MIMIC-IV|"
    "CheXpert|LIDC-IDRI|CASIA|WIDER FACE|CrowdHuman|MOT17|Argoverse|SemanticKITTI|FINN.no|"
    # knowledge graphs
    "Wikidata|Freebase|DBpedia|YAGO|ConceptNet|UMLS"
)
KNOWN_DATASETS = _keys(_DATASET_NAMES)
_BENCHMARK_NAMES = (
    "BIG-bench|BIG-Bench Hard|BBH|MMLU|MMLU-Pro|GSM8K|HumanEval|MBPP|WebArena|WebShop|ALFWorld|"
    "Meta-World|MetaWorld|GLUE|SuperGLUE|HELM|HellaSwag|TruthfulQA|WinoGrande|PIQA|ARC|"
    "Atari|Atari 2600|ALE|MiniGrid|BabyAI|NetHack|NLE|Procgen|DMControl|DM Control|D4RL|"
    "SWE-bench|AgentBench|MT-Bench|AlpacaEval|Chatbot Arena|GAIA|ToolBench|ScienceWorld|"
    "TextWorld|Crafter|RLBench|CALVIN|LIBERO|Mind2Web|MiniWoB|MiniWoB++|OSWorld|VQA|VQAv2|"
    "MATH|BoolQ|DROP|StrategyQA|CommonsenseQA|OpenBookQA|LAMBADA|MuJoCo|OpenAI Gym|Gym|"
    "Minecraft|MineRL|Habitat|AI2-THOR|ALFRED|VirtualHome|BEIR|MTEB|LongBench|AIME|"
    # widely used in 2024-25 papers: reasoning, code, agents, multimodal, 3D, exams, CASP
    "AIME24|AIME25|AIME 2024|AIME 2025|MATH-500|MATH500|GPQA|GPQA-Diamond|AMC|AMC23|"
    "OlympiadBench|Minerva Math|LiveCodeBench|HumanEval+|MBPP+|APPS|CodeContests|BigCodeBench|"
    "SWE-bench Verified|Terminal-Bench|tau-bench|BFCL|VisualWebArena|WorkArena|AndroidWorld|"
    "MMMU|MMBench|MME|MathVista|MM-Vet|SEED-Bench|POPE|BLINK|Video-MME|VBench|GenEval|"
    "T2I-CompBench|DPG-Bench|ARC-AGI|ARC-Challenge|ARC-Easy|IFEval|Arena-Hard|RULER|"
    "Needle in a Haystack|LongBench v2|InfiniteBench|HELMET|Natural Plan|Blocksworld|"
    "CogEval|MyoHand|MyoSuite|Adroit|Adroit Hand|Only Connect Wall|DTU|ETH3D|"
    "Tanks and Temples|Tanks & Temples|Tanks&Temples|KITTI 2015|Middlebury|USMLE|"
    "MedMCQA|CASP|CASP13|CASP14|CASP15|SuperCLUE|C-Eval|CMMLU|XNLI|FLORES|FLORES-200|"
    "MACHIAVELLI|Jericho|NetHack Learning Environment|Overcooked|SMAC|StarCraft II|"
    "Google Research Football|Isaac Gym|ManiSkill|RoboSuite|Franka Kitchen|CARLA|nuPlan"
)
KNOWN_BENCHMARKS = _keys(_BENCHMARK_NAMES)
KNOWN_METHODS = _keys(
    "GPT|GPT-2|GPT-3|GPT-3.5|GPT-4|GPT-4o|GPT-4V|ChatGPT|InstructGPT|Codex|LLaMA|Llama|Llama 2|"
    "Llama 3|Alpaca|Vicuna|Claude|Gemini|PaLM|PaLM 2|Bard|BERT|RoBERTa|ALBERT|DeBERTa|T5|FLAN|"
    "Flan-T5|Mistral|Mixtral|Falcon|BLOOM|OPT|Qwen|DeepSeek|Phi|Gemma|ResNet|VGG|AlexNet|ViT|"
    "U-Net|YOLO|Transformer|CLIP|DALL-E|Stable Diffusion|AlphaZero|AlphaGo|MuZero|AlphaFold|"
    "DQN|PPO|SAC|DDPG|TRPO|A3C|DPO|RLHF|LSTM|GRU|CNN|RNN|GAN|VAE|MLP|GNN|LLM|LM|VLM|MLLM|SAE|"
    "word2vec|GloVe|ELMo|XGBoost|MCTS|Adam|SGD|LoRA|QLoRA|CoT|ReAct|Reflexion|RAG|ICL|"
    "chain of thought|chain-of-thought|maximum likelihood estimation|RL|DRL|MARL|IRL|BC|"
    "NeRF|SimCLR|MoCo|BYOL|DINO|SAM|"
    # widely used model families of 2024-25 papers (a name with a version or size is one of
    # them: "Qwen3-8B", "OMG-LLaVA" are METHODs, see ``model_family``)
    "LLaVA|Qwen2|Qwen2.5|Qwen3|DeepSeek-R1|DeepSeek-V3|Llama 4|Phi-3|Phi-4|Gemma 2|Gemma 3|"
    "Claude 3|Claude 3.5|Claude-3 Opus|o1|o3|GPT-4.1|GPT-5|Gemini 2.5|PEGASUS|BART|"
    "Grok|Grok 3|Grok 4|Kimi|"
    "DINOv2|SAM2|SAM 2|ViT-B|ViT-L|ConvNeXt|Swin|Swin Transformer|Mamba|U-Net|UNet|nnU-Net|"
    "nnUNet|GRPO|PPO|DDPM|DDIM|LDM|DiT|ControlNet|3DGS|Gaussian Splatting|"
    "3D Gaussian Splatting|NSGA-II|BLIP|BLIP-2|InstructBLIP|Whisper|wav2vec 2.0|HuBERT|"
    "Sentence-BERT|SBERT|ColBERT|DPR|BM25|TF-IDF|LightGBM|CatBoost|MoE|mixture of experts|"
    # the families users ask about by name ("tasks-for-method 'large language model'"): one
    # type wherever a title capitalises them
    "large language model|large language models|vision-language model|VLM|"
    "multimodal large language model"
)
KNOWN_TASKS = _keys(
    "QA|VQA task|NLI|NER|MT|NMT|ASR|OCR|SRL|NLU|NLG|NLP|CV|POS tagging|SLAM|"
    # tasks whose head word is not one of ``TASK_HEADS`` or that read like a method ("TTS" is
    # not here: test-time scaling as often as text-to-speech since 2025)
    "multi-view stereo|MVS|novel view synthesis|NVS|structure from motion|SfM|"
    "protein structure prediction|text-to-image|T2I|text-to-video|T2V|text-to-speech|"
    "image-to-image translation|lipreading|lip reading|mathematical reasoning|"
    "multi-hop reasoning|commonsense reasoning|code generation|change detection|"
    "referring expression comprehension|visual grounding|image inpainting|denoising|"
    "deblurring|dehazing|inpainting|outpainting"
)
# cost measures a paper reports (the evaluation set's conventions: "GPU memory", "latency",
# "memory footprint" are METRICs); not "computational cost", which papers use loosely
COST_MEASURES = (
    "training time|inference time|generation time|testing time|running time|response time|"
    "response latency|inference latency|memory footprint|memory usage|memory consumption|"
    "memory requirement|memory requirements|peak memory|GPU memory|speedup|speed-up|"
    "communication cost|energy consumption|power consumption|token consumption|"
    "number of tokens|bit rate|bitrate|FLOPs"
)
KNOWN_METRICS = _keys(
    "BLEU|ROUGE|ROUGE-L|ROUGE-1|ROUGE-2|F1|F1 score|mAP|AUC|AUROC|IoU|mIoU|PSNR|SSIM|FID|WER|"
    "CER|MRR|NDCG|METEOR|CIDEr|Pass@1|pass@k|Elo|perplexity|accuracy|top-1 accuracy|"
    "top-5 accuracy|success rate|error rate|word error rate|exact match|win rate|"
    "inception score|mean average precision|average precision|F-score|F-measure|recall@1|"
    "BERTScore|"
    # cost measures and detection/segmentation/3D measures (annotation guide: METRIC)
    "AP|AP50|AP75|mAP50|mAP@0.5|Dice|Dice score|Dice coefficient|DSC|HD95|Hausdorff distance|"
    "LPIPS|Chamfer distance|RMSD|RMSE|MSE|lDDT|TM-score|GDT|CVaR|"
    "Conditional Value-at-Risk|pass@k|pass@10|pass@100|latency|throughput|training throughput|"
    "GPU memory|memory footprint|run-time|runtime|token consumption|compression ratio|"
    "precision|recall|specificity|sensitivity|Spearman correlation|Pearson correlation|"
    "Kendall tau|CLIPScore|ImageReward|PickScore|HPSv2|FVD|KID|NIQE|EPE|AbsRel|Chrf|chrF++|"
    "COMET|SacreBLEU|macro-F1|micro-F1|pixel accuracy|zero-shot accuracy|agreement rate|"
    # LLM serving and personalised generation (2025 papers)
    "TTFT|TPOT|time to first token|CLIP-I|CLIP-T|CLIP score|DINO score"
) | _keys(COST_MEASURES)
# Multi-word data names written as in papers ("Adroit Hand", "Only Connect Wall", "Tanks and
# Temples"): the rules find them in running text even when no word of them looks like a name.
KNOWN_DATA_PHRASES: dict[str, ConceptType] = {
    **{n: ConceptType.DATASET for n in _DATASET_NAMES.split("|") if " " in n},
    **{n: ConceptType.BENCHMARK for n in _BENCHMARK_NAMES.split("|") if " " in n},
}
KNOWN: dict[str, ConceptType] = {
    **{k: M for k in KNOWN_METHODS},
    **{k: T for k in KNOWN_TASKS},
    **{k: R for k in KNOWN_METRICS},
    **{k: D for k in KNOWN_DATASETS},
    **{k: B for k in KNOWN_BENCHMARKS},
}
# Capitalised words that are names on their own (a name-shaped token is not needed).
TITLE_NAMES = word_set(
    """
    llama alpaca vicuna claude gemini mistral mixtral falcon qwen gemma bard atari minecraft
    wikipedia transformer codex mujoco habitat grok kimi wikidata freebase dbpedia conceptnet
    """
)
# Languages: no concept alone, but a task's first word ("Korean font generation", "Chinese
# word segmentation") stays.
LANGUAGES = word_set(
    """
    english chinese french german spanish japanese korean arabic hindi russian portuguese
    italian dutch polish czech romanian finnish estonian latvian lithuanian turkish greek
    hungarian swedish ukrainian hebrew persian bengali urdu tamil thai vietnamese indonesian
    gujarati kazakh nepali sinhala
    """
)
# Name-shaped tokens that are not concepts on their own (organisations, tools, units, words).
NOT_NAMES = LANGUAGES | word_set(
    """
    matlab dof finn ml rgb rgb-d gps pos ctr ai agi api apis gpu gpus cpu cpus tpu tpus us
    usa uk eu id ids url urls pdf html json xml sql ii iii iv vi vii viii ix xi vs ok phd
    ieee acm ceo faq io ui ux gb tb mb kb hz ghz fps openai deepmind github youtube
    huggingface linkedin arxiv latex ios macos iphone pytorch tensorflow jax numpy scipy
    python javascript typescript
    mturk ios ip tv pc dna rna mri ct ecg eeg covid sota llc inc ltd ph.d et al en de fr zh
    mit bsd gpl db dbs fp4 fp8 fp16 fp32 fp64 bf16 int4 int8 google microsoft nvidia anthropic
    alibaba baidu tencent amazon apple ibm intel amd huawei bytedance
    """
)


def is_not_a_name(text: str) -> bool:
    """``text`` is on the not-a-name list: an organisation, tool, unit or word ("OpenAI",
    "MATLAB", "GPU")."""
    return concept_key(text) in NOT_NAMES or text.lower() in NOT_NAMES


DATASET_CUES = word_set(
    """
    dataset datasets corpus corpora treebank
    """
)
# words that say a name is a technique when it stands in apposition to one: "X, a unified
# post-training framework", "a novel dehazing framework, X"
METHOD_CUES = word_set(
    """
    framework method approach model architecture network algorithm system pipeline agent
    technique paradigm strategy module scheme
    """
)
BENCHMARK_CUES = word_set(
    """
    benchmark benchmarks suite suites leaderboard leaderboards environment environments
    arena testbed testbeds gym
    """
)
# what joins the names of a list ("X, Y and Z"): a cue next to the list types every name in it
LIST_GLUE = frozenset({",", "and", "or", "&", "as", "well", "/", "vs", "vs."})
# word starts that make "on X" a place results are reported: X is then a BENCHMARK
EVAL_WORDS = (
    "evaluat", "experiment", "result", "accura", "perform", "outperform", "state-of-the-art",
    "achiev", "score", "benchmark", "sota", "surpass", "test", "validat", "improv",
)

TASK_HEADS = word_set(
    """
    answering translation classification detection segmentation generation prediction
    recognition estimation summarization planning parsing captioning retrieval reasoning
    understanding inference completion localization tracking synthesis modeling modelling
    control manipulation navigation extraction labeling labelling tagging reconstruction
    super-resolution re-identification verification forecasting editing alignment grasping
    teaming programming deduction coding localisation recommendation interpretability
    comprehension registration colorization diagnosis imputation restoration driving grading
    tutoring discovery mapping assessment
    """
)
TASK_STANDALONE = word_set(
    """
    summarization planning captioning super-resolution re-identification grasping
    """
)
METHOD_STRONG_HEADS = word_set(
    """
    network transformer learning search optimization optimisation attention encoder decoder
    autoencoder regression distillation tuning fine-tuning finetuning prompting sampling
    descent propagation backpropagation pooling normalization dropout embedding classifier
    estimator bandit steering decoding augmentation quantization pruning forest perceptron
    diffusion boosting clustering
    """
)
METHOD_GENERIC_HEADS = word_set(
    """
    model method approach framework technique algorithm architecture system mechanism
    """
)
METHOD_STANDALONE = word_set(
    """
    transformer autoencoder backpropagation fine-tuning finetuning meta-learning
    self-attention pretraining pre-training
    """
)
METRIC_PHRASES = (
    "success rate|success rates|error rate|error rates|word error rate|exact match|win rate|"
    "win rates|inception score|mean average precision|f1 score|f1 scores|bleu score|"
    "bleu scores|rouge score|rouge scores|top-1 accuracy|top-5 accuracy|pass rate|"
    "average precision|mean reciprocal rank|attack success rate|attack success rates|"
    # long names of common metrics, read as metrics wherever they stand
    "area under the curve|area under the ROC curve|intersection over union|"
    "mean intersection over union|mean squared error|mean absolute error|"
    "root mean squared error|root mean square error|mean absolute percentage error|"
    "peak signal-to-noise ratio|structural similarity|character error rate|"
    "character error rates|phoneme error rate|equal error rate|false positive rate|"
    "true positive rate|F1-score|F1-scores|Pearson correlation coefficient|"
    "Spearman correlation coefficient|concordance correlation coefficient|"
    "rank correlation coefficient|Frechet Inception Distance|Fr\u00e9chet Inception Distance|"
    "normalized discounted cumulative gain|speaker similarity|time to first token"
)
# heads that make a concept only with particular modifiers
RESTRICTED_HEADS = {"mechanism": {"attention", "self-attention", "gating", "memory"}}
METRIC_HEADS = word_set(
    """
    accuracy perplexity
    """
)
# a head followed by one of these is itself a modifier ("retrieval heads", "search space")
NOT_AFTER_HEAD = word_set(
    """
    head heads layer layers rate rates space spaces step steps module modules unit units
    weight weights parameter parameters loss losses function functions objective objectives
    capability capabilities ability abilities skill skills time budget cost costs
    """
)

GENERIC_MODIFIERS = word_set(
    """
    new novel proposed existing various different several many much more most other such
    same similar certain specific general simple standard traditional conventional current
    recent previous prior popular common typical good better best bad worse worst high
    higher highest low lower lowest strong stronger strongest weak weaker powerful efficient
    effective robust significant important key main major overall whole entire full final
    initial first second third last next single multiple numerous diverse large-scale
    small-scale huge vast wide broad rich complex challenging difficult hard easy unique
    original additional further future potential possible real real-world practical
    successful remarkable impressive promising superior competitive comparable
    state-of-the-art sota advanced modern classic basic fundamental core crucial critical
    essential necessary relevant respective corresponding appropriate suitable holistic
    widespread increasing growing underlying downstream upstream generic arbitrary given
    particular individual well-known extensive comprehensive thorough detailed preliminary
    systematic non-trivial sophisticated elaborate baseline base vanilla naive
    straightforward existing latest rapid fast slow quick long short higher-level low-level
    high-level open closed available better-performing top leading prominent notable
    emerging fewer less least whole overall own present above below following previous
    earlier later optimal suboptimal poor reliable accurate precise exact fine coarse
    trivial broad narrow specialized specialised dedicated related alternative corresponding
    improved enhanced modified extended unified typical human-like expected preferred faster
    slower smaller larger bigger deeper simpler easier harder cheaper longer shorter wider
    greater largest smallest biggest deepest simplest fastest in-depth qualitative
    quantitative one two three four five six seven eight nine ten cheap explicit implicit
    dominant non-dominant favoured perfect imperfect distinct unseen dense massive
    extreme-scale off-the-shelf performant fast-developing well-studied known consistent
    naturalistic dynamic static explorative internal external physical global local
    benchmark one-time down-stream downstream parameter favoured favored respective
    successful interesting remarkable true false correct incorrect certain uncertain key
    quality
    """
)
WEAK_MODIFIERS = word_set(
    """
    large small big deep neural generative learned learning-based data-driven hybrid joint
    end-to-end computational statistical mathematical formal theoretical empirical
    probabilistic bilateral unilateral control pretrained pre-trained fine-tuned finetuned
    trained expert
    """
)
VERBISH = word_set(
    """
    use train learn improve achieve enable allow propose present introduce develop study
    investigate explore evaluate apply leverage employ adopt demonstrate find perform
    outperform require provide generate predict solve build design create combine compare
    obtain address tackle consider represent capture exploit utilize utilise incorporate
    integrate extend enhance boost reduce increase optimize optimise scale guide help need
    want try aim seek focus rely depend lead remain yield produce reach surpass match
    exhibit suffer fail struggle support facilitate encourage let via toward towards across
    among versus within without despite whether unlike including include involve allow
    rather instead thus hence while although though unless until upon onto per like called
    termed named dubbed call term dub assist deepen bridge update ensure encounter foster
    unlock unveil elicit align steer harness mitigate iterate can could may might must shall
    should will would
    """
)
ING_OK = word_set(
    """
    learning reasoning planning programming processing answering modeling modelling
    computing engineering mining matching tracking parsing captioning sampling decoding
    encoding embedding filtering pooling clustering ranking reading writing speaking driving
    grasping pushing tagging labeling labelling
    """
)
ED_OK = word_set(
    """
    supervised unsupervised semi-supervised self-supervised weakly-supervised pretrained
    pre-trained named augmented grounded conditioned conditional distributed federated
    reinforced structured unstructured layered
    """
)
PROPOSE = word_set(
    """
    propose proposes introduce introduces present presents develop develops call term dub
    named called termed dubbed design designs build builds release releases
    """
)

# last parts of hyphen compounds that describe rather than name: "LLM-based", "task-agnostic"
NAME_SUFFIX_WORDS = word_set(
    """
    based specific like driven level free style type aware only centric powered friendly
    scale sized wise agnostic oriented time native like
    """
)


# ---------------------------------------------------------------------------
# The precision filter (``pipeline.extract.precision``): what is not a concept a reader would
# list (annotation guide, "is not" column). One list per rule; the rule is in the module.

# Head words that name a kind of thing, not a thing: "X model" is the concept X (when X is one)
# or nothing ("our model", "a segmentation method", "compression framework").
STRIP_HEADS = word_set(
    """
    model models method methods approach approaches framework frameworks technique techniques
    algorithm algorithms architecture architectures system systems mechanism mechanisms
    strategy strategies scheme schemes pipeline pipelines module modules solution solutions
    foundation
    paradigm paradigms procedure procedures process processes methodology methodologies
    task tasks problem problems family families variant variants version versions
    """
)
# ... and after a name the data heads too: "ImageNet dataset", "the WebArena benchmark",
# "ImageNet test set" are ImageNet and WebArena (the cue still types them).
DATA_HEADS = word_set(
    """
    dataset datasets corpus corpora benchmark benchmarks suite suites leaderboard
    environment environments testbed collection split splits set sets data challenge
    competition score scores metric metric metrics
    """
)
# Multi-word "X set" heads stripped after a name: "ImageNet test set", "COCO val split".
SET_WORDS = word_set("test train training validation val dev held-out evaluation eval")
# Families whose head word is part of the name (the guide's "diffusion models", the modern
# set's "reward model"): kept whole, never stripped to "diffusion" or "reward".
HEADED_NAMES = _keys(
    "diffusion model|reward model|language model|large language model|world model|"
    "foundation model|vision-language model|vision language model|mixture model|"
    "topic model|generative model|energy-based model|state space model|"
    "hidden Markov model|Gaussian mixture model|latent diffusion model|"
    "evolutionary algorithm|genetic algorithm|multi-objective evolutionary algorithm|"
    "expectation-maximization algorithm|EM algorithm|multi-agent system|"
    "recommender system|recommendation system|dialogue system|expert system|"
    "mixture of experts|bag-of-words model|sequence-to-sequence model|seq2seq model|"
    "autoregressive model|masked language model|vision transformer model"
)
# Head words that make a descriptive phrase, never a concept, whatever their modifiers:
# capabilities, qualities, parts of a study ("LLMs' reasoning capability", "computational
# efficiency", "natural language response", "pre-training stage", "real-world application").
NON_CONCEPT_HEADS = word_set(
    """
    capability capabilities ability abilities capacity capacities robustness efficiency
    generalization generalisation scalability diversity interpretability explainability
    variance flexibility uncertainty effectiveness fidelity stability reliability
    adaptability transparency controllability connectivity consistency coherence fluency
    realism plausibility versatility usability practicality feasibility applicability
    performance improvement improvements gain gains benefit benefits advantage advantages
    average quality qualities representation representations distribution distributions
    response responses query queries scene scenes sequence sequences domain domains
    application applications stage stages phase phases literature objective objectives
    formulation formulations design designs information text texts nature direction
    directions indicator indicators constraint constraints variety collection procedure
    density vector vectors size sizes criterion criteria level levels boundary boundaries
    setting settings scenario scenarios component components property properties factor
    factors result results outcome outcomes insight insights issue issues challenge
    challenges limitation limitations aspect aspects way ways manner form forms type types
    study studies validation implementation implementations tool tools guideline guidelines
    setup setups counterpart counterparts baseline baselines deployment
    kind kinds condition conditions context contexts input inputs output outputs example
    examples instance instances value values parameter parameters requirement requirements
    principle principles perspective perspectives step steps user users people human humans
    researcher researchers practitioner practitioners
    """
)
# One word alone that is a verb, an activity or a quality, not a concept ("generation",
# "retrieval", "sampling" as tasks; "reward" as a metric). A known name or metric
# (``KNOWN``: "accuracy", "latency") and the standalone task/method words are kept.
# fields and the broadest model families: the guide's "acceptable", never a concept a reader
# lists ("large language model" stays: users ask for the tasks of LLMs)
# How a paper says it studied something: "empirical analysis", "systematic evaluation" are the
# paper's work, not concepts ("sentiment analysis", "privacy evaluation" are)
STUDY_WORDS = word_set(
    """
    empirical systematic statistical extensive comprehensive thorough rigorous quantitative
    qualitative detailed careful experimental theoretical preliminary large-scale in-depth
    human
    """
)
STUDY_HEADS = word_set("analysis analyses evaluation evaluations experiment experiments")
# How much compute a method needs, in general words: every paper says it, no reader lists it
# (the annotated sets have it as "acceptable" at most; named measures such as "training time"
# or "peak memory" are METRICs)
GENERIC_COSTS = _keys(
    "computational cost|computation cost|computational complexity|computational overhead|"
    "computational load|computational burden|computational resources|computing resources|"
    "compute cost|computational demand|computational demands"
)
BROAD_FIELDS = frozenset({
    "language-model", "machine-learning", "deep-learning", "lm", "ml", "dl",
    "artificial-intelligence", "ai", "generative-ai", "nlp", "natural-language-processing",
    "computer-vision", "robotics", "speech-processing",
})
GENERIC_WORDS = word_set(
    """
    generation retrieval prediction recognition segmentation detection classification
    adaptation construction analysis compression grounding mapping simulation visualization
    visualisation sampling exploration solution classifier encoder decoder retraining
    regularization reward rewards error errors misinformation optimization optimisation
    training evaluation inference reasoning planning learning modeling modelling control
    alignment estimation search understanding synthesis reconstruction tracking editing
    representation embedding embeddings attention transformer transformers agent agents
    policy policies memory plug-and-play state-of-the-art end-to-end self-evaluation
    self-labeling pre-training pretraining fine-tuning finetuning post-training architecture
    scaling transfer refinement augmentation distillation interpolation denoising decoding
    encoding tuning prompting verification execution allocation manipulation navigation
    fusion matching ranking filtering pruning quantization feedback supervision annotation
    """
)
# Leading words dropped from a span: evaluative and vague adjectives (the guide: "drop
# evaluative words"), which never start a concept's name.
EVALUATIVE = word_set(
    """
    novel new proposed efficient effective robust powerful simple lightweight improved
    enhanced state-of-the-art sota advanced existing various different several many multiple
    numerous diverse unified general generic standard traditional conventional popular
    typical high-quality high-performance high-performing cutting-edge strong stronger
    competitive comprehensive extensive superior remarkable significant scalable flexible
    practical reliable accurate precise versatile innovative our their its this these those
    such the a an any each every both all high-fidelity high-accuracy accelerated
    generalizable data-efficient cost-effective cost-efficient training-efficient
    memory-efficient compute-efficient sample-efficient
    """
)
# Words a span cannot end in: it was cut in mid phrase ("downstream task of", "planning and").
CUT_WORDS = word_set(
    """
    of and or to for in on with by from at as via up across between than that which whose
    the a an its their our this these such into over under per versus vs
    """
)
# Words a span cannot start with (a preposition: "around Cupid", "of X").
LEAD_CUT_WORDS = word_set(
    """
    of and or to for in on with by from at as via up across between than around about into
    over under per versus vs within without through toward towards among
    """
)
# Verbs that are never nouns, cut from a span's start: "quantify SFC" (of "allows us to
# quantify SFC"), "minimize latency"
LEAD_VERBS = word_set(
    """
    quantify identify characterize characterise minimize minimise maximize maximise simplify
    verify specify accelerate mitigate enhance improve utilize utilise
    improving enhancing maintaining preserving compromising sacrificing achieving
    """
)
# Name endings that type a name (after the short lists, before context): "NoveltyBench",
# "T2R-bench", "CodeAgent-Test", "Arena" are benchmarks; "ChipKG" (a knowledge graph),
# "...Corpus" are datasets.
BENCHMARK_SUFFIXES = ("bench", "-test", "-eval", "eval", "arena", "gym", "-hard", "-qa")
# The last word of the name of an exam (benchmarks of LLM papers): "United States Medical
# Licensing Examination", "International Mathematical Olympiad"
EXAM_HEADS = word_set("examination exam olympiad")
DATASET_SUFFIXES = ("kg", "corpus", "-data", "-db")
# A task head that often names a technique too ("retrieval-augmented reasoning"): a METHOD
# span with it is not made a TASK. See ``precision.retype``.
AMBIGUOUS_TASK_HEADS = word_set(
    """
    inference alignment control modeling modelling programming tuning prompting search
    decoding steering
    """
)
