import { TreeSelect } from 'antd';
import { useEffect, useState } from 'react';
import type { JurisdictionNode, Level } from '../../api/types';
import { useAuth } from '../../auth/auth';
import { useI18n } from '../../i18n/i18n';

const DEPTH: Record<string, number> = { city: 0, county: 1, town: 2, village: 3 };

interface TreeNode {
  value: string;
  title: string;
  isLeaf: boolean;
  selectable: boolean;
  children?: TreeNode[];
}

function toNode(node: JurisdictionNode, minLevel: Level, children?: JurisdictionNode[]): TreeNode {
  return {
    value: node.code,
    title: node.name,
    isLeaf: node.level === 'village',
    // A node above the level the procedure is worked at would give its tasks to nobody: the API refuses it.
    selectable: (DEPTH[node.level] ?? 0) >= DEPTH[minLevel],
    ...(children ? { children: children.map((child) => toNode(child, minLevel)) } : {}),
  };
}

function attach(nodes: TreeNode[], code: string, children: TreeNode[]): TreeNode[] {
  return nodes.map((node) =>
    node.value === code ? { ...node, children } : node.children ? { ...node, children: attach(node.children, code, children) } : node,
  );
}

/**
 * The division a new case belongs to, inside the user's subtree (GET /api/jurisdictions/:code,
 * children loaded as a node opens); only nodes at `minLevel` or below can be chosen.
 */
export function JurisdictionPicker(props: {
  root: string;
  minLevel: Level;
  value: string | undefined;
  onChange(code: string | undefined): void;
  invalid?: boolean;
  id?: string;
}) {
  const { root, minLevel, value, onChange, invalid, id } = props;
  const { api } = useAuth();
  const { t } = useI18n();
  const [tree, setTree] = useState<TreeNode[]>([]);

  useEffect(() => {
    let live = true;
    api.jurisdictionChildren(root).then(
      (node) => live && setTree([toNode(node, minLevel, node.children ?? [])]),
      () => live && setTree([]),
    );
    return () => {
      live = false;
    };
  }, [api, root, minLevel]);

  return (
    <TreeSelect
      id={id}
      style={{ width: '100%', maxWidth: 420 }}
      treeData={tree}
      value={value}
      onChange={(code: string | undefined) => onChange(code)}
      loadData={async ({ value: code }) => {
        const node = await api.jurisdictionChildren(String(code));
        setTree((nodes) => attach(nodes, String(code), (node.children ?? []).map((child) => toNode(child, minLevel))));
      }}
      treeDefaultExpandedKeys={[root]}
      showSearch
      treeNodeFilterProp="title"
      allowClear
      placeholder={t('form.choose')}
      status={invalid ? 'error' : undefined}
      data-testid="case-jurisdiction"
    />
  );
}
