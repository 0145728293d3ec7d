namespace MaskContrast.Core.Evaluation;

/// <summary>
/// Optimal one-to-one assignment of rows to columns (the linear sum assignment problem), our own O(n²·m)
/// shortest-augmenting-path implementation with dual potentials (Kuhn–Munkres in the Jonker–Volgenant form).
/// Square and rectangular matrices: with R rows and K columns, min(R, K) pairs are assigned.
/// </summary>
/// <remarks>
/// The official protocol calls scipy's <c>linear_sum_assignment(N − IoU)</c>; <see cref="Maximize"/> on the IoU matrix
/// gives the same optimum (ties may be broken differently, which changes no score).
/// </remarks>
public static class HungarianAssignment
{
    /// <summary>
    /// Assignment with the smallest total cost. <paramref name="cost"/> is [R, K], finite.
    /// Returns, for every row, its column, or −1 when the row is left unassigned (only when R &gt; K).
    /// </summary>
    public static int[] Minimize(double[,] cost)
    {
        int rows = cost.GetLength(0);
        int cols = cost.GetLength(1);
        foreach (double c in cost)
        {
            if (!double.IsFinite(c))
            {
                throw new ArgumentException($"cost matrix holds a non-finite value ({c}); replace it with a large finite cost", nameof(cost));
            }
        }

        if (rows == 0 || cols == 0)
        {
            return Enumerable.Repeat(-1, rows).ToArray();
        }

        // The augmenting-path solver wants rows <= columns; solve the transpose otherwise.
        if (rows <= cols)
        {
            return Solve(cost, rows, cols, transposed: false);
        }

        int[] colToRow = Solve(cost, cols, rows, transposed: true);
        var rowToCol = Enumerable.Repeat(-1, rows).ToArray();
        for (int c = 0; c < cols; c++)
        {
            rowToCol[colToRow[c]] = c;
        }

        return rowToCol;
    }

    /// <summary>Assignment with the largest total score (e.g. IoU); same shape rules as <see cref="Minimize"/>.</summary>
    public static int[] Maximize(double[,] score)
    {
        var negated = new double[score.GetLength(0), score.GetLength(1)];
        for (int i = 0; i < score.GetLength(0); i++)
        {
            for (int j = 0; j < score.GetLength(1); j++)
            {
                negated[i, j] = -score[i, j];
            }
        }

        return Minimize(negated);
    }

    /// <summary>Sum of <c>matrix[row, assignment[row]]</c> over assigned rows.</summary>
    public static double Total(double[,] matrix, IReadOnlyList<int> assignment)
    {
        double total = 0;
        for (int i = 0; i < assignment.Count; i++)
        {
            if (assignment[i] >= 0)
            {
                total += matrix[i, assignment[i]];
            }
        }

        return total;
    }

    // n "workers" (rows of the problem) are assigned to m >= n "jobs". Index 0 is a sentinel in both, so the
    // problem's row r is worker r + 1. a(worker, job) reads the cost, transposed when asked.
    private static int[] Solve(double[,] cost, int n, int m, bool transposed)
    {
        double A(int w, int j) => transposed ? cost[j - 1, w - 1] : cost[w - 1, j - 1];

        var u = new double[n + 1];          // potential of each worker
        var v = new double[m + 1];          // potential of each job
        var owner = new int[m + 1];         // worker holding each job, 0 = free
        var way = new int[m + 1];           // previous job on the shortest path, to unwind the augmentation
        var minReduced = new double[m + 1];
        var visited = new bool[m + 1];

        for (int w = 1; w <= n; w++)
        {
            // Grow a shortest-path tree (in reduced costs) from the new worker until it reaches a free job.
            owner[0] = w;
            int job = 0;
            Array.Fill(minReduced, double.PositiveInfinity);
            Array.Fill(visited, false);
            do
            {
                visited[job] = true;
                int worker = owner[job];
                double delta = double.PositiveInfinity;
                int next = 0;
                for (int j = 1; j <= m; j++)
                {
                    if (visited[j])
                    {
                        continue;
                    }

                    double reduced = A(worker, j) - u[worker] - v[j];
                    if (reduced < minReduced[j])
                    {
                        minReduced[j] = reduced;
                        way[j] = job;
                    }

                    if (minReduced[j] < delta)
                    {
                        delta = minReduced[j];
                        next = j;
                    }
                }

                // Shift the potentials so the tree's edges stay tight and the cheapest frontier edge becomes tight.
                for (int j = 0; j <= m; j++)
                {
                    if (visited[j])
                    {
                        u[owner[j]] += delta;
                        v[j] -= delta;
                    }
                    else
                    {
                        minReduced[j] -= delta;
                    }
                }

                job = next;
            }
            while (owner[job] != 0);

            // Flip the matched/unmatched edges along the path back to the root.
            do
            {
                int previous = way[job];
                owner[job] = owner[previous];
                job = previous;
            }
            while (job != 0);
        }

        var workerToJob = Enumerable.Repeat(-1, n).ToArray();
        for (int j = 1; j <= m; j++)
        {
            if (owner[j] != 0)
            {
                workerToJob[owner[j] - 1] = j - 1;
            }
        }

        return workerToJob;
    }
}
