import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { requireViewer, type RequestContext } from '../common/context.js';
import type { CatalogEntry, ContentRecord } from '../../store/types.js';
import { PageArgs, paginate, type Page } from '../common/connection.js';
import { connectionOf } from '../common/complexity.js';
import { ContentConnection, contentCursor } from './content-connection.type.js';
import { Content, RentalTerms } from './content.type.js';
import { UpsertContentInput } from './upsert-content.input.js';

@Resolver(() => Content)
export class CatalogResolver {
  @Query(() => ContentConnection, {
    complexity: connectionOf(1),
    description: 'The catalog, a page at a time, by content id.',
  })
  contents(@Args(() => PageArgs) page: PageArgs, @Ctx() ctx: RequestContext): Promise<Page<CatalogEntry>> {
    requireViewer(ctx);
    return paginate(
      page,
      contentCursor,
      (c) => c.id,
      (limit, after) => ctx.catalog.page(limit, after),
    );
  }

  @Query(() => Content, { description: 'One title of the catalog.' })
  content(
    @Arg('id', () => ID, { description: 'The content id.' }) id: string,
    @Ctx() ctx: RequestContext,
  ): Promise<CatalogEntry> {
    requireViewer(ctx);
    return ctx.catalog.entry(id);
  }

  @Mutation(() => Content, { description: 'Creates or replaces a catalog entry. Admins only.' })
  upsertContent(
    @Arg('input', () => UpsertContentInput, { description: 'The catalog entry.' }) input: UpsertContentInput,
    @Ctx() ctx: RequestContext,
  ): Promise<ContentRecord> {
    return ctx.catalog.upsert(requireViewer(ctx), input);
  }

  @FieldResolver(() => RentalTerms, { description: 'Rental terms.' })
  rental(@Root() content: CatalogEntry): RentalTerms {
    return { periodSeconds: content.rentalPeriodSeconds, playSeconds: content.rentalPlaySeconds };
  }

  @FieldResolver(() => Boolean, { description: 'Whether FAIRPLAY licenses can be issued (the catalog has an IV).' })
  fairPlayReady(@Root() content: CatalogEntry): boolean {
    return content.iv !== null;
  }
}
