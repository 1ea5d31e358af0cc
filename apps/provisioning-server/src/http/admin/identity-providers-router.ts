import { Router } from 'express';
import type { Request } from 'express';
import type { ConnectorRegistry, IdentityProviderService, ResidentServiceProviderService } from '@provisioning/core';
import { contextOf } from '../principal';
import { connectorView, identityProviderView } from './identity-provider-view';

/** /api/server/v1/identity-providers (WSO2 shapes). */
export function identityProvidersRouter(idps: IdentityProviderService, resident: ResidentServiceProviderService, registry: ConnectorRegistry): Router {
  const router = Router();
  const base = (req: Request) => `${req.protocol}://${req.get('host')}${req.baseUrl}`;
  const view = (req: Request, idp: Parameters<typeof identityProviderView>[0]) => identityProviderView(idp, base(req), (t) => registry.find(t));

  router.get('/meta/outbound-provisioning-connectors', (_req, res) => {
    res.json(
      registry.manifests().map((m) => ({
        connectorId: m.connectorId,
        name: m.type,
        displayName: m.displayName,
        description: m.description,
        capabilities: m.capabilities,
        properties: m.properties.map((p) => ({
          key: p.key,
          displayName: p.displayName,
          description: p.description ?? '',
          type: p.type,
          isMandatory: p.isMandatory,
          isConfidential: p.isConfidential,
          defaultValue: p.defaultValue ?? '',
          ...(p.options ? { options: p.options } : {}),
        })),
      })),
    );
  });

  router.post('/', async (req, res) => {
    const idp = await idps.create(contextOf(req).tenant, req.body);
    const body = view(req, idp);
    res.status(201).setHeader('Location', body.self).json(body);
  });

  router.get('/', async (req, res) => {
    const list = await idps.list(contextOf(req).tenant);
    res.json({
      totalResults: list.length,
      startIndex: 1,
      count: list.length,
      identityProviders: list.map((idp) => ({ id: idp.id, name: idp.name, description: idp.description, isEnabled: idp.isEnabled, image: idp.image ?? '', self: `${base(req)}/${idp.id}` })),
    });
  });

  router.get('/:id', async (req, res) => {
    res.json(view(req, await idps.get(contextOf(req).tenant, req.params.id)));
  });

  router.put('/:id', async (req, res) => {
    res.json(view(req, await idps.replace(contextOf(req).tenant, req.params.id, req.body)));
  });

  router.patch('/:id', async (req, res) => {
    res.json(view(req, await idps.patch(contextOf(req).tenant, req.params.id, req.body)));
  });

  router.delete('/:id', async (req, res) => {
    const tenant = contextOf(req).tenant;
    await idps.delete(tenant, req.params.id, (name) => resident.usesIdp(tenant, name));
    res.status(204).end();
  });

  router.get('/:id/provisioning/outbound-connectors', async (req, res) => {
    const idp = await idps.get(contextOf(req).tenant, req.params.id);
    res.json(view(req, idp).provisioning.outboundConnectors);
  });

  router.put('/:id/provisioning/outbound-connectors', async (req, res) => {
    const idp = await idps.replaceConnectors(contextOf(req).tenant, req.params.id, req.body);
    res.json(view(req, idp).provisioning.outboundConnectors);
  });

  router.get('/:id/provisioning/outbound-connectors/:connectorId', async (req, res) => {
    const configuration = await idps.getConnector(contextOf(req).tenant, req.params.id, req.params.connectorId);
    res.json(connectorView(configuration, registry.find(configuration.connectorType)));
  });

  router.put('/:id/provisioning/outbound-connectors/:connectorId', async (req, res) => {
    const configuration = await idps.replaceConnector(contextOf(req).tenant, req.params.id, req.params.connectorId, req.body);
    res.json(connectorView(configuration, registry.find(configuration.connectorType)));
  });

  return router;
}
