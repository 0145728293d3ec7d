namespace MaskContrast.Functions.Api;

/// <summary>
/// A run's configuration as the user chose it, written to <c>RunLayout.Config</c> before the run starts: the engine
/// rebuilds the full training configuration with <c>Presets.Load(Preset, Overrides)</c>.
/// </summary>
/// <param name="Dataset">Dataset name under <c>datasets/</c>.</param>
/// <param name="Preset">One of <c>Presets.Names</c>.</param>
/// <param name="Overrides"><c>section.field=value</c> assignments applied to the preset, in order.</param>
/// <param name="Epochs">Training epochs (also written as the <c>schedule.epochs</c> override).</param>
public sealed record RunSettings(string Dataset, string Preset, string[] Overrides, int Epochs);
