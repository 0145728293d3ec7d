using MaskContrast.Core.Evaluation;

namespace MaskContrast.Tests.Evaluation;

public class HungarianAssignmentTests
{
    public static TheoryData<int, int> Shapes()
    {
        var data = new TheoryData<int, int>();
        for (int n = 1; n <= 8; n++)
        {
            data.Add(n, n);
        }

        // Rectangular, both orientations.
        data.Add(2, 5);
        data.Add(5, 2);
        data.Add(3, 8);
        data.Add(8, 3);
        data.Add(6, 7);
        data.Add(7, 6);
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Minimize_RandomMatrices_EqualsBruteForceOptimum(int rows, int cols)
    {
        int seeds = Math.Max(rows, cols) <= 6 ? 60 : 12;
        for (int seed = 0; seed < seeds; seed++)
        {
            var random = new Random(seed * 31 + rows * 7 + cols);
            // Half the cases use small integers so that ties (several optima) are common.
            bool ties = seed % 2 == 1;
            var cost = new double[rows, cols];
            for (int i = 0; i < rows; i++)
            {
                for (int j = 0; j < cols; j++)
                {
                    cost[i, j] = ties ? random.Next(4) : random.NextDouble() * 10 - 5;
                }
            }

            int[] assignment = HungarianAssignment.Minimize(cost);

            AssertValidAssignment(assignment, rows, cols);
            Assert.Equal(BruteForceMinimum(cost), HungarianAssignment.Total(cost, assignment), 9);
        }
    }

    [Fact]
    public void Maximize_IoUMatrix_PicksPermutationWithLargestTotal()
    {
        // Diagonal would give 0.5 + 0.2 + 0.1 = 0.8; the optimum is 0->1, 1->2, 2->0 = 0.6 + 0.7 + 0.4 = 1.7.
        var iou = new double[,] { { 0.5, 0.6, 0.0 }, { 0.1, 0.2, 0.7 }, { 0.4, 0.3, 0.1 } };

        int[] assignment = HungarianAssignment.Maximize(iou);

        Assert.Equal([1, 2, 0], assignment);
        Assert.Equal(1.7, HungarianAssignment.Total(iou, assignment), 12);
    }

    [Fact]
    public void Minimize_MoreRowsThanColumns_LeavesCheapestExtraRowsUnassigned()
    {
        var cost = new double[,] { { 5 }, { 1 }, { 3 } };

        Assert.Equal([-1, 0, -1], HungarianAssignment.Minimize(cost));
    }

    [Fact]
    public void Minimize_NaNCost_ThrowsArgumentException()
    {
        Assert.Throws<ArgumentException>(() => HungarianAssignment.Minimize(new double[,] { { 1, double.NaN } }));
    }

    private static void AssertValidAssignment(int[] assignment, int rows, int cols)
    {
        Assert.Equal(rows, assignment.Length);
        var used = assignment.Where(c => c >= 0).ToArray();
        Assert.Equal(Math.Min(rows, cols), used.Length);
        Assert.Equal(used.Length, used.Distinct().Count());
        Assert.All(used, c => Assert.InRange(c, 0, cols - 1));
    }

    // Tries every injective map from the smaller side into the larger one.
    private static double BruteForceMinimum(double[,] cost)
    {
        int rows = cost.GetLength(0);
        int cols = cost.GetLength(1);
        bool transpose = rows > cols;
        int small = Math.Min(rows, cols);
        int large = Math.Max(rows, cols);
        double Cost(int s, int l) => transpose ? cost[l, s] : cost[s, l];

        double best = double.PositiveInfinity;
        var used = new bool[large];
        void Recurse(int s, double total)
        {
            if (s == small)
            {
                best = Math.Min(best, total);
                return;
            }

            for (int l = 0; l < large; l++)
            {
                if (!used[l])
                {
                    used[l] = true;
                    Recurse(s + 1, total + Cost(s, l));
                    used[l] = false;
                }
            }
        }

        Recurse(0, 0);
        return best;
    }
}
