"""Bazel glue of the equivalence matrix (docs/EQUIVALENCE.md)."""

def equivalence_matrix_test(nf, shard_count = 1, size = "medium"):
    """py_test `<nf>_matrix_test`: the matrix of //nfs/<nf> (its :inmem, :plan and
    generated description)."""
    native.py_test(
        name = nf + "_matrix_test",
        size = size,
        srcs = ["matrix_test.py"],
        main = "matrix_test.py",
        args = [nf],
        data = [
            "//nfs/%s:inmem" % nf,
            "//nfs/%s:plan" % nf,
            "//nfs/%s:description" % nf,
        ],
        python_version = "PY3",
        shard_count = shard_count,
        deps = [":matrix_lib"],
    )
