using System.Text.Json;

namespace MaskContrast.Tests.Evaluation;

/// <summary>Reads a golden file written by golden/make_golden.py (scikit-learn reference values).</summary>
internal sealed class Golden
{
    private readonly JsonElement _root;

    private Golden(JsonElement root) => _root = root;

    public static Golden Load(string name)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Evaluation", "golden", name);
        using var stream = File.OpenRead(path);
        using var document = JsonDocument.Parse(stream);
        return new Golden(document.RootElement.Clone());
    }

    public int Int(string key) => _root.GetProperty(key).GetInt32();

    public double[] Vector(string key) => _root.GetProperty(key).EnumerateArray().Select(e => e.GetDouble()).ToArray();

    public double[,] Matrix(string key, int rows, int cols)
    {
        double[] flat = Vector(key);
        Assert.Equal(rows * cols, flat.Length);
        var m = new double[rows, cols];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < cols; j++)
            {
                m[i, j] = flat[i * cols + j];
            }
        }

        return m;
    }

    /// <summary>The "data" matrix, [rows, cols].</summary>
    public double[,] Data() => Matrix("data", Int("rows"), Int("cols"));
}
