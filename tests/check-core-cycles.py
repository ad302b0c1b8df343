#!/usr/bin/env python3
# check-core-cycles.py: fails when two files of src/core depend on each other, directly or
# around a circle.
#
# Copyright 2026 The Clusterscope authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Three graphs, each of which must be free of cycles:
#   includes: every .c / .h of the directory -> the "cs-*.h" it includes;
#   calls:    every object of the library -> the objects defining the symbols it uses (nm);
#   modules:  both at once, a .c and its .h taken as one module (cs-run.c + cs-run.h), so that
#             a.c calling b.c while b.c includes a.h is a circle too.
# A circle in either means a module cannot be understood, tested or replaced on its own
# (trainer -> run -> trainer was one). Usage: check-core-cycles.py SRC_DIR LIBRARY.a [NM]

import os
import re
import subprocess
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"(cs-[^"]+\.h)"', re.M)


def include_graph(src_dir):
    graph = {}
    for name in sorted(os.listdir(src_dir)):
        if not (name.endswith('.c') or name.endswith('.h')):
            continue
        with open(os.path.join(src_dir, name), encoding='utf-8') as f:
            text = f.read()
        # Only headers of this directory count: config.h and system headers are leaves.
        graph[name] = sorted({h for h in INCLUDE.findall(text)
                              if os.path.exists(os.path.join(src_dir, h)) and h != name})
    return graph


def call_graph(library, nm):
    out = subprocess.run([nm, '-A', '--defined-only', library], check=True,
                         capture_output=True, text=True).stdout
    defined = {}
    for line in out.splitlines():
        obj, _, rest = line.rpartition(':')
        obj = os.path.basename(obj)
        fields = rest.split()
        # Global text, data and bss symbols: what another object can call or read.
        if len(fields) == 3 and fields[1] in 'TDBRCVW' and fields[1] != 'U':
            defined.setdefault(fields[2], obj)
    out = subprocess.run([nm, '-A', '--undefined-only', library], check=True,
                         capture_output=True, text=True).stdout
    graph = {}
    for obj in set(defined.values()):
        graph[source_name(obj)] = set()
    for line in out.splitlines():
        obj, _, rest = line.rpartition(':')
        obj = os.path.basename(obj)
        fields = rest.split()
        if not fields:
            continue
        target = defined.get(fields[-1])
        graph.setdefault(source_name(obj), set())
        if target is not None and target != obj:
            graph[source_name(obj)].add(source_name(target))
    return {k: sorted(v) for k, v in graph.items()}


def source_name(obj):
    # libfoo.a.p/cs-run.c.o -> cs-run.c
    return obj[:-2] if obj.endswith('.o') else obj


def cycles(graph):
    """Strongly connected components with more than one node (Tarjan)."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def module_graph(*graphs):
    def stem(name):
        return os.path.splitext(name)[0]
    merged = {}
    for graph in graphs:
        for v, targets in graph.items():
            merged.setdefault(stem(v), set()).update(stem(w) for w in targets if stem(w) != stem(v))
    return {k: sorted(v) for k, v in merged.items()}


def describe(graph, component):
    members = set(component)
    return '\n'.join('    %s -> %s' % (v, ', '.join(w for w in graph[v] if w in members))
                     for v in component)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__ or 'usage: check-core-cycles.py SRC_DIR LIBRARY.a [NM]')
    src_dir, library = sys.argv[1], sys.argv[2]
    nm = sys.argv[3] if len(sys.argv) > 3 else 'nm'
    failed = False
    includes = include_graph(src_dir)
    calls = call_graph(library, nm)
    for kind, graph in (('includes', includes), ('calls', calls),
                        ('modules', module_graph(includes, calls))):
        found = cycles(graph)
        print('%s: %d files, %d edges, %d circles'
              % (kind, len(graph), sum(len(v) for v in graph.values()), len(found)))
        for component in found:
            failed = True
            print('  circle of %s between %s:\n%s'
                  % (kind, ', '.join(component), describe(graph, component)))
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
