"""Fail when first-party modules import each other in a loop (issue 20: zero import loops).

import-linter's layers contract keeps the layers apart, but modules of one layer may
import each other; this check finds loops among single modules, counting imports inside
functions as much as those at the top (grimp's graph, the one import-linter reads).
Prints each loop's modules and one chain around it; exits 1 when there is one.
"""

import sys
from pathlib import Path

import grimp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ROOTS = ("shop", "catalogue", "content", "fulfilment")


def loops(graph):
    """Strongly connected groups of more than one module (Tarjan, iterative)."""
    index, low, on_stack, stack, groups = {}, {}, set(), [], []
    counter = 0
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append(
                        (child, iter(sorted(graph.find_modules_directly_imported_by(child))))
                    )
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))
    return groups


def main():
    graph = grimp.build_graph(*ROOTS, include_external_packages=False)
    found = loops(graph)
    print(f"import loops: {len(found)}")
    for group in found:
        chain = graph.find_shortest_chain(importer=group[1], imported=group[0]) or ()
        back = graph.find_shortest_chain(importer=group[0], imported=group[1]) or ()
        print(f"- {len(group)} modules: {' '.join(group)}")
        print(f"    {' -> '.join(chain)} | {' -> '.join(back)}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
