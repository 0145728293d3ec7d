using System.Text.Json;
using System.Text.Json.Nodes;
using MaskContrast.Bench;
using MaskContrast.Core.Config;
using static TorchSharp.torch;

// Training-step benchmark of the product (see ../README.md); bench/run-training-bench.sh drives it. Usage:
//   TrainingBench prepare <config>                       resolved config + dataset path, as JSON (for pytorch_step.py)
//   TrainingBench run <config> [warmup] [steps] [--profile] [--variant fp32|channels-last|bf16|bf16+channels-last]
//                                                        one JSON line of step times in ms; threads: $BENCH_THREADS (2)
//   TrainingBench loader <root> <preset> eager|stream <cache MB> <loader threads> <batches>   the input pipeline alone (run-loader-bench.sh)
if (args.Length >= 7 && args[0] == "loader")
{
    Console.WriteLine(JsonSerializer.Serialize(LoaderRun.Run(args[1], args[2], args[3], long.Parse(args[4]), int.Parse(args[5]), int.Parse(args[6]))));
    return 0;
}
if (args.Length < 2 || args[0] is not ("prepare" or "run"))
{
    Console.Error.WriteLine($"usage: TrainingBench prepare|run <config> [warmup] [steps] [--profile]; configs: {string.Join(", ", BenchConfig.All.Select(c => c.Name))}");
    return 2;
}
int variantAt = Array.IndexOf(args, "--variant");
string variant = variantAt > 0 && variantAt + 1 < args.Length ? args[variantAt + 1] : "fp32";
var bench = BenchConfig.Find(args[1]);
if (args[0] == "prepare")
{
    var info = new JsonObject
    {
        ["name"] = bench.Name,
        ["dataset"] = bench.DatasetRoot(),
        ["config"] = JsonNode.Parse(Presets.ToJson(bench.Resolve())),
    };
    Console.WriteLine(info.ToJsonString());
    return 0;
}
set_num_threads(int.Parse(Environment.GetEnvironmentVariable("BENCH_THREADS") ?? "2"));   // as pytorch_step.py
int warmup = args.Length > 2 && !args[2].StartsWith("--") ? int.Parse(args[2]) : 2;
int steps = args.Length > 3 && !args[3].StartsWith("--") ? int.Parse(args[3]) : 5;
var times = StepLoop.Run(bench.With(variant), warmup, steps, profile: args.Contains("--profile"));
Console.WriteLine(JsonSerializer.Serialize(new
{
    impl = "csharp",
    config = bench.Name,
    variant,
    bf16 = times.Bf16,
    parameters = times.Parameters,
    threads = get_num_threads(),
    interop_threads = get_num_interop_threads(),
    build_ms = times.Build,
    train_ms = times.Train,
    phases_ms = times.Phases,
}));
return 0;
