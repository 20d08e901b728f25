"""How much of a question the sentence chosen to answer it speaks to.

The answerer's similarity compares one vector per text, so a sentence on the question's subject scores high though it
leaves out what the question asks for (a product, a result, a standard, a date). Token alignment compares the parts:
each token of the question, in context, is matched to its closest token of the sentence, and the mean of those best
cosines says how much of the question the sentence covers. That is BERTScore's recall (Zhang et al., 2020), here on
the e5 model the service already holds; the bert-score package computes it too, but loads a second copy of the model
by name, so the few lines are written here. Across languages the token states hardly align (an English question over
a Norwegian sentence scores low whatever the sentence says), so callers compare texts of one language only.
"""

import numpy as np


class TokenAlignment:
    def __init__(self, model, query_prefix: str, passage_prefix: str) -> None:
        self.model = model
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix
        # Tokens to skip at the start of each text: the start token and the prefix's own.
        self._skip = {
            prefix: 1 + len(model.tokenizer(prefix, add_special_tokens=False)["input_ids"])
            for prefix in (query_prefix, passage_prefix)
        }

    def recall(self, question: str, sentence: str) -> float:
        """Mean over the question's tokens of the best cosine to a token of the sentence, in [-1, 1]."""
        asked, said = self._states([(self.query_prefix, question), (self.passage_prefix, sentence)])
        if not len(asked) or not len(said):
            return 0.0
        return float((asked @ said.T).max(axis=1).mean())

    def _states(self, texts: list[tuple[str, str]]) -> list[np.ndarray]:
        """Unit vectors of the words' tokens: without the special tokens, the e5 prefix and punctuation."""
        tokenizer = self.model.tokenizer
        states = self.model.encode(
            [prefix + text for prefix, text in texts], output_value="token_embeddings", show_progress_bar=False
        )
        kept = []
        for (prefix, text), state in zip(texts, states):
            ids = tokenizer(prefix + text, truncation=True, max_length=self.model.max_seq_length)["input_ids"]
            pieces = tokenizer.convert_ids_to_tokens(ids)
            words = [i for i in range(self._skip[prefix], len(ids) - 1) if any(c.isalnum() for c in pieces[i])]
            vectors = state.float().cpu().numpy()[words]
            kept.append(vectors / np.linalg.norm(vectors, axis=1, keepdims=True))
        return kept
