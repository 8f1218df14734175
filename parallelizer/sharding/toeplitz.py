"""Software Toeplitz hash as NICs compute it for RSS (Microsoft RSS spec).

For every set bit i of the input (bit 0 = MSB of byte 0) the 32-bit window of
the key starting at key bit i (bit 0 = MSB of key byte 0) is XORed into the
result. The RETA index is the hash's low log2(RETA size) bits.
"""

from __future__ import annotations

import struct

import numpy as np

from parallelizer.sharding import fields


def toeplitz_hash(key: bytes, data: bytes) -> int:
    """The 32-bit Toeplitz hash of `data` under `key`."""
    if len(key) * 8 < len(data) * 8 + 32:
        raise ValueError(f"a {len(key)}-byte key cannot hash {len(data)} bytes")
    key_int = int.from_bytes(key, "big")
    key_bits = len(key) * 8
    result = 0
    for byte_index, byte in enumerate(data):
        for bit in range(8):
            if byte & (0x80 >> bit):
                i = byte_index * 8 + bit
                result ^= (key_int >> (key_bits - 32 - i)) & 0xFFFFFFFF
    return result


def ipv4_input(src: int, dst: int) -> bytes:
    """Hash input of RTE_ETH_RSS_IPV4: src addr, dst addr (host-order ints)."""
    return struct.pack("!II", src, dst)


def ipv4_l4_input(src: int, dst: int, src_port: int, dst_port: int) -> bytes:
    """Hash input of RTE_ETH_RSS_NONFRAG_IPV4_TCP/UDP."""
    return struct.pack("!IIHH", src, dst, src_port, dst_port)


def reta_index(hash_value: int, reta_size: int) -> int:
    return hash_value & (reta_size - 1)


def window(key: bytes, input_bit: int) -> int:
    """The 32-bit key window that input bit `input_bit` XORs into the hash."""
    key_bits = len(key) * 8
    return (int.from_bytes(key, "big") >> (key_bits - 32 - input_bit)) & 0xFFFFFFFF


def reta_matrix(key: bytes, reta_size: int, input_bits: int = fields.INPUT_BITS) -> np.ndarray:
    """GF(2) matrix M (m x input_bits, m = log2 RETA) with RETA index bits = M x.

    Row t is RETA index bit t (0 = LSB): hash bit t of input bit i's window.
    """
    m = fields.reta_bits(reta_size)
    out = np.zeros((m, input_bits), dtype=np.uint8)
    for i in range(input_bits):
        w = window(key, i)
        for t in range(m):
            out[t, i] = (w >> t) & 1
    return out


def flows_to_bits(flows: np.ndarray) -> np.ndarray:
    """Rows (src, dst, src_port, dst_port) (uint64) -> rows of 96 input bits."""
    flows = np.asarray(flows, dtype=np.uint64)
    columns = []
    for f, column in zip(fields.LAYOUT_IPV4_L4, flows.T, strict=True):
        shifts = np.arange(f.width_bits - 1, -1, -1, dtype=np.uint64)
        columns.append(((column[:, None] >> shifts[None, :]) & np.uint64(1)).astype(np.uint8))
    return np.concatenate(columns, axis=1)


def ipv6_l4_input(src: int, dst: int, src_port: int, dst_port: int) -> bytes:
    """Hash input of RTE_ETH_RSS_NONFRAG_IPV6_TCP/UDP (addresses as 128-bit ints)."""
    return src.to_bytes(16, "big") + dst.to_bytes(16, "big") + struct.pack("!HH", src_port, dst_port)


def ipv6_flows_to_bits(rows) -> np.ndarray:
    """Rows (src, dst, src_port, dst_port) of Python ints (128-bit addresses)
    -> rows of 288 input bits (uint8), the IPv6 TCP/UDP input."""
    data = b"".join(ipv6_l4_input(*row) for row in rows)
    packed = np.frombuffer(data, dtype=np.uint8).reshape(len(rows), 36)
    return np.unpackbits(packed, axis=1)


def bits_reta_indexes(key: bytes, reta_size: int, bits: np.ndarray) -> np.ndarray:
    """RETA index of every row of input bits (any family's layout), vectorized.
    float32 products are exact here (sums of at most 288 ones) and use BLAS;
    pass float32 rows to skip the conversion when hashing the same rows often."""
    matrix = reta_matrix(key, reta_size, bits.shape[1]).astype(np.float32)
    rows = bits if bits.dtype == np.float32 else bits.astype(np.float32)
    index_bits = (rows @ matrix.T).astype(np.int64) & 1
    return index_bits @ (1 << np.arange(matrix.shape[0], dtype=np.int64))


def reta_indexes(key: bytes, reta_size: int, flows: np.ndarray) -> np.ndarray:
    """RETA index of every flow row (src, dst, src_port, dst_port), vectorized."""
    matrix = reta_matrix(key, reta_size).astype(np.int64)
    bits = flows_to_bits(flows).astype(np.int64)
    index_bits = (bits @ matrix.T) & 1
    weights = 1 << np.arange(matrix.shape[0], dtype=np.int64)
    return index_bits @ weights
