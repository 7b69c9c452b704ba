"""Stacked copies of an adapted matrix with one column permuted per copy, for whatever an
adapter returns (a DataFrame, a dense array or a scipy sparse matrix), so that every repeat
of one engineered feature is predicted in a single batch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray


class _Stacker:
    """``n_repeats`` copies of an adapted matrix stacked, with one column permuted per copy.

    Handles what adapters return: a DataFrame (native, category columns kept), a dense
    array, or a scipy sparse matrix (the permuted column is swapped in by adding a sparse
    difference, so the cost is the column's non-zeros, not the matrix's).
    """

    def __init__(self, matrix: Any, n_repeats: int) -> None:
        import numpy as np
        import pandas as pd
        import scipy.sparse as sp

        self.matrix = matrix
        self.n_rows = int(matrix.shape[0])
        self.n_repeats = n_repeats
        self.kind: Literal["frame", "sparse", "dense"]
        if isinstance(matrix, pd.DataFrame):
            self.kind = "frame"
            self.stacked: Any = matrix.iloc[np.tile(np.arange(self.n_rows), n_repeats)]
            self.stacked = self.stacked.reset_index(drop=True)
        elif sp.issparse(matrix):
            self.kind = "sparse"
            self.csc = sp.csc_matrix(matrix)
            self.stacked = sp.vstack([sp.csr_matrix(matrix)] * n_repeats, format="csr")
        else:
            self.kind = "dense"
            self.stacked = np.tile(np.asarray(matrix), (n_repeats, 1))

    def _column(self, j: int) -> Any:
        if self.kind == "frame":
            return self.matrix.iloc[:, j]
        if self.kind == "sparse":
            return self.csc[:, j].toarray().ravel()
        return self.matrix[:, j]

    def constant(self, j: int) -> bool:
        """Whether column ``j`` holds one value on every row (NaN counts as a value)."""
        import pandas as pd

        values = pd.Series(self._column(j))
        return bool(values.nunique(dropna=False) <= 1)

    def permuted(self, j: int, perms: list[NDArray[np.int64]]) -> Any:
        import numpy as np
        import scipy.sparse as sp

        order = np.concatenate(perms)
        if self.kind == "frame":
            out = self.stacked.copy(deep=False)
            out[out.columns[j]] = self.matrix.iloc[order, j].reset_index(drop=True)
            return out
        if self.kind == "dense":
            dense = self.stacked.copy()
            dense[:, j] = self.matrix[order, j]
            return dense
        column = np.asarray(self._column(j), dtype=np.float64)
        diff = column[order] - np.tile(column, self.n_repeats)
        rows = np.flatnonzero(diff)
        delta = sp.csr_matrix((diff[rows], (rows, np.full(len(rows), j))), shape=self.stacked.shape)
        result = (self.stacked + delta).astype(self.stacked.dtype)
        result.eliminate_zeros()
        return result
