"""py_proto: compiles one .proto to a Python module with the system protoc.

The generated module matches the pinned protobuf runtime (protoc 3.21.x ->
protobuf 4.21.x); tools/setup.sh installs both.
"""

def py_proto(name, src, deps = [], visibility = None):
    out = src.replace(".proto", "_pb2.py")
    native.genrule(
        name = name + "_gen",
        srcs = [src],
        outs = [out],
        cmd = "protoc --proto_path=$$(dirname $(location %s)) --python_out=$(@D) $(location %s)" % (src, src),
    )
    native.py_library(
        name = name,
        srcs = [out],
        deps = deps,
        visibility = visibility,
    )
