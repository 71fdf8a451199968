import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "../trpc.ts";
import { clearCheckout } from "./checkout.ts";
import { navigate, paths } from "./router.ts";

/**
 * Starts the generation of a paid photoset and goes to its progress. The server picks the paid,
 * unused payment and refuses a second start, so a double call cannot make two photosets.
 */
export function useStartPhotoset() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return useMutation(
    trpc.generation.start.mutationOptions({
      onSuccess: async (_job, input) => {
        clearCheckout();
        await queryClient.invalidateQueries();
        navigate(paths.generation(input.avatarId), { replace: true });
      },
    }),
  );
}
