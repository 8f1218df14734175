"""nflib_test: a cc_test built twice, plain and with ASan + UBSan."""

NFLIB_SRCS = [
    "access.c",
    "cht.c",
    "dchain.c",
    "expirator.c",
    "instance.c",
    "internal.h",
    "lpm.c",
    "map.c",
    "packet.c",
    "sketch.c",
    "time.c",
    "token_bucket.c",
    "types.c",
    "vector.c",
]

NFLIB_HDRS = [
    "access.h",
    "cht.h",
    "dchain.h",
    "expirator.h",
    "instance.h",
    "lpm.h",
    "map.h",
    "nf.h",
    "packet.h",
    "sketch.h",
    "sketch_limits.h",
    "time.h",
    "token_bucket.h",
    "types.h",
    "vector.h",
]

SANITIZER_FLAGS = [
    "-fsanitize=address,undefined",
    "-fno-sanitize-recover=all",
    "-fno-omit-frame-pointer",
]

def nflib_test(name, srcs, size = "small", linkopts = [], **kwargs):
    """Defines `name` (against //nflib) and `name`_asan (against :nflib_asan)."""
    native.cc_test(
        name = name,
        srcs = srcs,
        size = size,
        copts = ["-std=gnu11"],
        linkopts = linkopts,
        deps = [":nflib", ":test_util"],
        **kwargs
    )
    native.cc_test(
        name = name + "_asan",
        srcs = srcs,
        size = size,
        copts = ["-std=gnu11"] + SANITIZER_FLAGS,
        linkopts = SANITIZER_FLAGS + linkopts,
        deps = [":nflib_asan", ":test_util"],
        **kwargs
    )
