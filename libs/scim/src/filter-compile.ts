import { echo } from '@provisioning/errors';
import { findAttribute, findSubAttribute } from './attribute-lookup';
import { asItems, valuesAt } from './attribute-values';
import { compileValueTest } from './filter-operators';
import type { Filter } from './filter-types';
import { getIgnoringCase, isObject, isUnassigned } from './json-values';
import { resourceTypeOf } from './resource-types';
import type { ResourceTypeRef } from './resource-types';
import { scimError } from './scim-errors';
import type { AttributeDefinition } from './schema-types';

/** A compiled filter: tells whether one resource (or one value of a complex attribute) matches. */
export type FilterPredicate = (node: Readonly<Record<string, unknown>>) => boolean;

/** What an attribute path in a filter designates, relative to the node the filter is applied to. */
interface Operand {
  readonly definition: AttributeDefinition;
  /** The raw values (objects for complex attributes), for `pr`. */
  readonly items: (node: Readonly<Record<string, unknown>>) => unknown[];
}

/** Where names in a filter are resolved: the resource, or one value of a complex attribute (`[...]`). */
interface Scope {
  operand(attrPath: string): Operand;
  /** The complex attribute of a value path `attrPath[...]` and a scope for its inner filter. */
  valuePath(attrPath: string): { items: (node: Readonly<Record<string, unknown>>) => Record<string, unknown>[]; inner: Scope };
}

function unknownAttribute(attrPath: string, where: string): never {
  throw scimError('invalidFilter', `Invalid filter: unknown attribute "${echo(attrPath)}"${where}`);
}

function elementScope(parent: AttributeDefinition, parentPath: string): Scope {
  return {
    operand(attrPath) {
      const definition = findSubAttribute(parent, attrPath);
      if (!definition) unknownAttribute(attrPath, ` in "${parentPath}[...]"`);
      return { definition, items: (node) => asItems(getIgnoringCase(node, definition.name)) };
    },
    valuePath(attrPath) {
      throw scimError('invalidFilter', `Invalid filter: "${parentPath}.${echo(attrPath)}" is not a complex attribute, so it takes no "[...]"`);
    },
  };
}

function resourceScope(resourceType: ResourceTypeRef): Scope {
  const type = resourceTypeOf(resourceType);
  return {
    operand(attrPath) {
      const resolved = findAttribute(type, attrPath);
      if (!resolved) unknownAttribute(attrPath, ` for resource type ${type.name}`);
      // Filtering on a never-returned attribute (password) would let clients probe its value.
      if (resolved.definition.returned === 'never') throw scimError('invalidFilter', `Invalid filter: "${resolved.path}" cannot be filtered on`);
      return { definition: resolved.definition, items: (node) => valuesAt(node, resolved) };
    },
    valuePath(attrPath) {
      const resolved = findAttribute(type, attrPath);
      if (!resolved) unknownAttribute(attrPath, ` for resource type ${type.name}`);
      if (resolved.subAttribute || resolved.attribute.type !== 'complex') {
        throw scimError('invalidFilter', `Invalid filter: "${echo(attrPath)}" is not a complex attribute, so it takes no "[...]"`);
      }
      return { items: (node) => valuesAt(node, resolved).filter(isObject), inner: elementScope(resolved.attribute, resolved.path) };
    },
  };
}

/**
 * A complex attribute compared without a sub-attribute (`emails co "example.com"`, RFC 7644
 * 3.4.2.2 examples) is compared through its `value` sub-attribute.
 */
function comparable(operand: Operand, attrPath: string): Operand {
  if (operand.definition.type !== 'complex') return operand;
  const value = findSubAttribute(operand.definition, 'value');
  if (!value) throw scimError('invalidFilter', `Invalid filter: "${echo(attrPath)}" is complex; name a sub-attribute (e.g. "${echo(attrPath)}.<name>") or use "pr"`);
  return {
    definition: value,
    items: (node) => operand.items(node).flatMap((item) => (isObject(item) ? asItems(getIgnoringCase(item, 'value')) : [item])),
  };
}

function compile(filter: Filter, scope: Scope): FilterPredicate {
  switch (filter.op) {
    case 'and': {
      const parts = filter.filters.map((part) => compile(part, scope));
      return (node) => parts.every((part) => part(node));
    }
    case 'or': {
      const parts = filter.filters.map((part) => compile(part, scope));
      return (node) => parts.some((part) => part(node));
    }
    case 'not': {
      const inner = compile(filter.filter, scope);
      return (node) => !inner(node);
    }
    case '[]': {
      const { items, inner } = scope.valuePath(filter.attrPath);
      const test = compile(filter.valFilter, inner);
      return (node) => items(node).some((item) => test(item));
    }
    case 'pr': {
      const operand = scope.operand(filter.attrPath);
      return (node) => operand.items(node).some((item) => !isUnassigned(item));
    }
    default: {
      const operand = comparable(scope.operand(filter.attrPath), filter.attrPath);
      const { compValue } = filter;
      const present = (node: Readonly<Record<string, unknown>>): boolean => operand.items(node).some((item) => !isUnassigned(item));
      if (compValue === null) {
        // "eq null" asks for an unassigned attribute, "ne null" for an assigned one (RFC 7643 2.5).
        if (filter.op === 'eq') return (node) => !present(node);
        if (filter.op === 'ne') return present;
        throw scimError('invalidFilter', `Invalid filter: "${filter.op} null" is meaningless; use "pr" or "eq null"`);
      }
      const test = compileValueTest({ ...filter, compValue }, operand.definition);
      if (filter.op === 'ne') {
        // An unassigned attribute is "not equal" to any value; multi-valued: some value differs.
        return (node) => {
          const values = operand.items(node);
          return values.length === 0 || values.some(test);
        };
      }
      return (node) => operand.items(node).some(test);
    }
  }
}

/**
 * Compiles a parsed filter for a resource type once; the predicate is then applied to many
 * resources. Unknown attributes, value paths on non-complex attributes and comparisons the RFC
 * forbids throw `ValidationError` scimType `invalidFilter` here, whatever the data.
 */
export function compileFilter(filter: Filter, resourceType: ResourceTypeRef): FilterPredicate {
  return compile(filter, resourceScope(resourceType));
}

/**
 * RFC 7644 3.4.2.2 filter semantics for one resource: operators eq ne co sw ew pr gt ge lt le,
 * `and`/`or`/`not` (precedence is in the parsed tree), value paths, case-insensitive attribute names,
 * `caseExact` per schema, chronological dateTime comparison, "any value" for multi-valued attributes.
 * `ne` also matches an unassigned attribute; `eq null` / `ne null` test absence / presence. The
 * password (returned never) cannot be filtered on. Errors as for {@link compileFilter}.
 */
export function matchesFilter(resource: Readonly<Record<string, unknown>>, filter: Filter, resourceType: ResourceTypeRef): boolean {
  return compileFilter(filter, resourceType)(resource);
}

/** Compiles a filter against the sub-attributes of one complex attribute (PATCH value paths). */
export function compileValueFilter(filter: Filter, parent: AttributeDefinition, parentPath: string): FilterPredicate {
  return compile(filter, elementScope(parent, parentPath));
}
