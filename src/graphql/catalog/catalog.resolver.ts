import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { requireViewer, type RequestContext } from '../context.js';
import type { ContentRecord } from '../../store/types.js';
import { listOf } from '../complexity.js';
import { Content, RentalTerms } from './content.type.js';
import { UpsertContentInput } from './upsert-content.input.js';

@Resolver(() => Content)
export class CatalogResolver {
  @Query(() => [Content], { complexity: listOf(1), description: 'The catalog.' })
  contents(@Ctx() ctx: RequestContext): Promise<ContentRecord[]> {
    requireViewer(ctx);
    return ctx.catalog.list();
  }

  @Query(() => Content, { description: 'One title of the catalog.' })
  content(@Arg('id', () => ID, { description: 'The content id.' }) id: string, @Ctx() ctx: RequestContext): Promise<ContentRecord> {
    requireViewer(ctx);
    return ctx.catalog.get(id);
  }

  @Mutation(() => Content, { description: 'Creates or replaces a catalog entry. Admins only.' })
  upsertContent(
    @Arg('input', () => UpsertContentInput, { description: 'The catalog entry.' }) input: UpsertContentInput,
    @Ctx() ctx: RequestContext,
  ): Promise<ContentRecord> {
    return ctx.catalog.upsert(requireViewer(ctx), input);
  }

  @FieldResolver(() => RentalTerms, { description: 'Rental terms.' })
  rental(@Root() content: ContentRecord): RentalTerms {
    return { periodSeconds: content.rentalPeriodSeconds, playSeconds: content.rentalPlaySeconds };
  }

  @FieldResolver(() => Boolean, { description: 'Whether FAIRPLAY licenses can be issued (the catalog has an IV).' })
  fairPlayReady(@Root() content: ContentRecord): boolean {
    return content.iv !== null;
  }
}
